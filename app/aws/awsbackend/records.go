package awsbackend

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

	"imageapp/app/aws/dynamostore"
	"imageapp/app/aws/kmskeys"
)

// PurposeDecryptRecord is the purpose in the encryption context of the
// record signing key, wrapped by the app key (terraform/kms.tf allows it).
const PurposeDecryptRecord = "decrypt-record"

// DecryptRecords are the decrypt records in the messages table, and the
// cluster's key that signs their heads (made by the first instance, wrapped
// by the app's KMS key).
func DecryptRecords(ctx context.Context, c Clients, appName, messagesTable, appKeyID string) (*dynamostore.DecryptRecord, ed25519.PrivateKey, error) {
	if messagesTable == "" {
		return nil, nil, errors.New("awsbackend: the decrypt records need the messages table")
	}
	seal, err := kmskeys.NewAppKey(c.KMS, appKeyID, appName, PurposeDecryptRecord)
	if err != nil {
		return nil, nil, err
	}
	key, err := dynamostore.RecordKey(ctx, c.DynamoDB, messagesTable, seal)
	if err != nil {
		return nil, nil, fmt.Errorf("awsbackend: the record signing key: %w", err)
	}
	return &dynamostore.DecryptRecord{DB: c.DynamoDB, Table: messagesTable}, key, nil
}
