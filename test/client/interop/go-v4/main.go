// Interop driver for AWS's S3 Encryption Client for Go v4 (message format V3), written for this repository's
// interop test (test/client/interop-go.test.ts). It is built at test time, in GOPATH mode, against a copy of
// the public client source and Debian's AWS SDK for Go v2 packages; no AWS code is kept here.
//
//	go-v4 -op put|get -policy FORBID_ENCRYPT_ALLOW_DECRYPT|REQUIRE_ENCRYPT_ALLOW_DECRYPT|REQUIRE_ENCRYPT_REQUIRE_DECRYPT \
//	      -bucket B -key K -file F [-ec k=v]
//
// Endpoints and the KMS key come from S3_ENDPOINT, KMS_ENDPOINT and KMS_KEY_ID. put reads the plaintext from F;
// get writes it to F. Errors go to stderr with exit status 1.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/amazon-s3-encryption-client-go/v4/algorithms"
	"github.com/aws/amazon-s3-encryption-client-go/v4/client"
	"github.com/aws/amazon-s3-encryption-client-go/v4/commitment"
	"github.com/aws/amazon-s3-encryption-client-go/v4/materials"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func main() {
	op := flag.String("op", "", "put or get")
	policy := flag.String("policy", "REQUIRE_ENCRYPT_REQUIRE_DECRYPT", "commitment policy")
	bucket := flag.String("bucket", "", "bucket")
	key := flag.String("key", "", "object key")
	file := flag.String("file", "", "plaintext file")
	ec := flag.String("ec", "", "encryption context k=v,k2=v2")
	flag.Parse()
	if err := run(*op, *policy, *bucket, *key, *file, *ec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(op, policyName, bucket, key, file, ecText string) error {
	cfg := aws.Config{
		Region: "eu-west-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
		}),
	}
	s3Client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(os.Getenv("S3_ENDPOINT"))
		o.UsePathStyle = true
	})
	kmsClient := kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(os.Getenv("KMS_ENDPOINT")) })
	cmm, err := materials.NewCryptographicMaterialsManager(materials.NewKmsKeyring(kmsClient, os.Getenv("KMS_KEY_ID")))
	if err != nil {
		return err
	}
	var policy commitment.CommitmentPolicy
	switch policyName {
	case "FORBID_ENCRYPT_ALLOW_DECRYPT":
		policy = commitment.FORBID_ENCRYPT_ALLOW_DECRYPT
	case "REQUIRE_ENCRYPT_ALLOW_DECRYPT":
		policy = commitment.REQUIRE_ENCRYPT_ALLOW_DECRYPT
	case "REQUIRE_ENCRYPT_REQUIRE_DECRYPT":
		policy = commitment.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
	default:
		return fmt.Errorf("unknown policy %q", policyName)
	}
	encryptionClient, err := client.New(s3Client, cmm, func(o *client.EncryptionClientOptions) {
		o.CommitmentPolicy = policy
		if policy == commitment.FORBID_ENCRYPT_ALLOW_DECRYPT {
			o.EncryptionAlgorithmSuite = algorithms.AlgAES256GCMIV12Tag16NoKDF
		}
	})
	if err != nil {
		return err
	}
	ctx := context.Background()
	encryptionContext := map[string]string{}
	for _, pair := range strings.Split(ecText, ",") {
		if k, v, ok := strings.Cut(pair, "="); ok {
			encryptionContext[k] = v
		}
	}
	switch op {
	case "put":
		plaintext, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		withContext := contextWithEncryptionContext(ctx, encryptionContext)
		_, err = encryptionClient.PutObject(withContext, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(plaintext)})
		return err
	case "get":
		out, err := encryptionClient.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
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

// contextWithEncryptionContext passes the encryption context the way the v4 client reads it (a context value).
func contextWithEncryptionContext(ctx context.Context, ec map[string]string) context.Context {
	//lint:ignore SA1029 the client looks the value up under this plain string key
	return context.WithValue(ctx, client.EncryptionContext, ec) //nolint:staticcheck
}
