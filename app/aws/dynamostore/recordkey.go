package dynamostore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// The key that signs the heads of the decrypt records is one for the
// cluster: an Ed25519 seed made by the first instance that needs it,
// wrapped by the app's KMS key (purpose kmskeys.PurposeDecryptRecord), and
// kept as one item of the messages table:
//
//	message_id S = "#record-key" | wrapped B
//
// A conditional put makes racing first instances agree on one seed.

// SealKey wraps and unwraps a small secret (kmskeys.AppKey).
type SealKey interface {
	Wrap(ctx context.Context, plaintext []byte) ([]byte, error)
	Unwrap(ctx context.Context, ciphertext []byte) ([]byte, error)
}

func recordKeyKey() item { return item{attrMessageID: str("#record-key")} }

// RecordKey returns the cluster's record signing key, making it on first use.
func RecordKey(ctx context.Context, db API, table string, seal SealKey) (ed25519.PrivateKey, error) {
	for range 2 {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: recordKeyKey(), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, storeError("read the record key", err)
		}
		if out.Item != nil {
			d := decoder{it: out.Item}
			wrapped := d.bin(attrWrapped)
			if d.err != nil {
				return nil, d.err
			}
			seed, err := seal.Unwrap(ctx, wrapped)
			if err != nil {
				return nil, fmt.Errorf("dynamo: unwrap the record key: %w", err)
			}
			defer clear(seed)
			if len(seed) != ed25519.SeedSize {
				return nil, fmt.Errorf("dynamo: the record key is %d bytes; want %d", len(seed), ed25519.SeedSize)
			}
			return ed25519.NewKeyFromSeed(seed), nil
		}
		seed := make([]byte, ed25519.SeedSize)
		rand.Read(seed)
		wrapped, err := seal.Wrap(ctx, seed)
		clear(seed)
		if err != nil {
			return nil, fmt.Errorf("dynamo: wrap a new record key: %w", err)
		}
		it := recordKeyKey()
		it[attrWrapped] = bin(wrapped)
		_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it,
			ConditionExpression: aws.String("attribute_not_exists(message_id)")})
		if err != nil && !isConditionFailed(err) {
			return nil, storeError("store a new record key", err)
		}
		// Stored, or another instance stored its own first: read back the one kept.
	}
	return nil, fmt.Errorf("dynamo: the record key could not be stored or read")
}
