/**
 * Independently published or independently computed answers (see crypto.test.ts for their sources).
 */
const hex = (s: string) => Buffer.from(s, 'hex');

export const GCM_TC15 = {
  key: hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308'),
  iv: hex('cafebabefacedbaddecaf888'),
  plaintext: hex('d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72'
    + '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255'),
  ciphertext: hex('522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa'
    + '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad'),
  tag: hex('b094dac5d93471bdec1a502270e3cc6c'),
};

export const CBC_OPENSSL = {
  key: hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'),
  iv: hex('000102030405060708090a0b0c0d0e0f'),
  plaintext: Buffer.from('Legacy object from an AES/CBC S3 Encryption Client.', 'utf8'),
  ciphertext: hex('1a93a0da09130de67edb3fc1602154d86f671dee547fc70bde4fdc874acc76cc'
    + '9a0ad608a495907e14889a0febec0a83b7e21830a24ca3e4d746024ba2d70bb7'),
};
