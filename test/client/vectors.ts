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

/**
 * Suite 115 (ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY) key derivation: inputs and expected outputs from the
 * known-answer tests of AWS's S3 Encryption Client for Go v4 (`v4/internal/key_derivation_test.go`).
 */
export const HKDF_KAT = [
  {
    dataKey: hex('80d90dc4cc7e77d8a6332efa44eba56230a7fe7b89af37d1e501ab2e07c0a163'),
    messageId: hex('b8ea76bed24c7b85382a148cb9dcd1cfdfb765f55ded4dfa6e0c4c79'),
    encryptionKey: hex('6dd14f546cc006e639126e83f5d4d1b118576bb5df97f38c6fb3a1db87bbc338'),
    commitment: hex('f89818bc0a346d3a3426b68e9509b6b2ae5fe1f904aa329fb73625db'),
  },
  {
    dataKey: hex('501afb8227d22e75e68010414b8abdaf3064c081e8e922dafef4992036394d60'),
    messageId: hex('61a00b4981a5aacfd136c55cb726e32d2a547dc7600a7d4675c69127'),
    encryptionKey: hex('e14786a714748d1d2c3a4a6816dec56ddf1881bbeabb4f39420ffb9f63700b2f'),
    commitment: hex('5c1e73e47f6fe3a70d6d094283aceaa76d2975feb829212d88f0afc1'),
  },
];

/**
 * A whole suite-115 object body for HKDF_KAT[0]: computed with Python's `cryptography` package (HKDF-SHA512,
 * AESGCM with IV 0x01 x 12 and AAD 0x0073), independently of this code base.
 */
export const V3_OBJECT_KAT = {
  ...HKDF_KAT[0],
  plaintext: Buffer.from('Key-committing S3 Encryption Client object, format V3.', 'utf8'),
  body: hex('e93ef8342109def439ea1456e5eaa124ac30d6a6003d5fb2f4fb280a1df58db20d29a5585743be08dd692b3300563928df8d2724856dbae2310ddcd2ed2a4169aaf7838a02f8'),
  messageIdBase64: 'uOp2vtJMe4U4KhSMudzRz9+3ZfVd7U36bgxMeQ==',
  commitmentBase64: '+JgYvAo0bTo0JraOlQm2sq5f4fkEqjKftzYl2w==',
};
