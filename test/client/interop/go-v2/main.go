// Interop driver for AWS's S3 Encryption Client V2 for Go (`s3crypto` in the AWS SDK for Go v1; message format V2),
// written for this repository's interop test (test/client/interop-go.test.ts). Built at test time, in GOPATH
// mode, against Debian's golang-github-aws-aws-sdk-go-dev; no AWS code is kept here.
//
//	go-v2 -op put|get -bucket B -key K -file F [-ec k=v]
//
// Endpoints and the KMS key come from S3_ENDPOINT, KMS_ENDPOINT and KMS_KEY_ID.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/kms"
	"github.com/aws/aws-sdk-go/service/s3"
	"github.com/aws/aws-sdk-go/service/s3/s3crypto"
)

func main() {
	op := flag.String("op", "", "put or get")
	bucket := flag.String("bucket", "", "bucket")
	key := flag.String("key", "", "object key")
	file := flag.String("file", "", "plaintext file")
	ec := flag.String("ec", "", "encryption context k=v,k2=v2")
	flag.Parse()
	if err := run(*op, *bucket, *key, *file, *ec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(op, bucket, key, file, ecText string) error {
	sess, err := session.NewSession(&aws.Config{
		Region:           aws.String("eu-west-1"),
		Endpoint:         aws.String(os.Getenv("S3_ENDPOINT")),
		S3ForcePathStyle: aws.Bool(true),
		Credentials:      credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", ""),
	})
	if err != nil {
		return err
	}
	kmsClient := kms.New(sess, &aws.Config{Endpoint: aws.String(os.Getenv("KMS_ENDPOINT"))})
	matdesc := s3crypto.MaterialDescription{}
	for _, pair := range strings.Split(ecText, ",") {
		if k, v, ok := strings.Cut(pair, "="); ok {
			matdesc[k] = aws.String(v)
		}
	}
	switch op {
	case "put":
		plaintext, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		generator := s3crypto.NewKMSContextKeyGenerator(kmsClient, os.Getenv("KMS_KEY_ID"), matdesc)
		encryptionClient, err := s3crypto.NewEncryptionClientV2(sess, s3crypto.AESGCMContentCipherBuilderV2(generator))
		if err != nil {
			return err
		}
		_, err = encryptionClient.PutObject(&s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(plaintext)})
		return err
	case "get":
		registry := s3crypto.NewCryptoRegistry()
		if err := s3crypto.RegisterAESGCMContentCipher(registry); err != nil {
			return err
		}
		if err := s3crypto.RegisterKMSContextWrapWithAnyCMK(registry, kmsClient); err != nil {
			return err
		}
		decryptionClient, err := s3crypto.NewDecryptionClientV2(sess, registry)
		if err != nil {
			return err
		}
		out, err := decryptionClient.GetObject(&s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			return err
		}
		defer out.Body.Close()
		plaintext, err := io.ReadAll(out.Body)
		if err != nil {
			return err
		}
		return os.WriteFile(file, plaintext, 0o600)
	}
	return fmt.Errorf("unknown op %q", op)
}
