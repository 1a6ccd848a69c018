package dynamostore

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"imageapp/app/imageapp"
)

// A WebAuthn ceremony under way (imageapp.Ceremonies) is an item of the
// messages table that is not a message (no sort_key, in no index):
//
//	message_id S = "ceremony#<id>" | data B | expires_ns N
//	expires_at N (unix seconds, the table's TTL: DynamoDB drops ceremonies
//	never finished)

const (
	attrData      = "data"
	attrExpiresNS = "expires_ns"
)

var _ imageapp.Ceremonies = (*Messages)(nil)

func ceremonyKey(id string) item { return item{attrMessageID: str("ceremony#" + id)} }

// PutCeremony writes the ceremony's item.
func (m *Messages) PutCeremony(ctx context.Context, id string, data []byte, expires time.Time) error {
	it := ceremonyKey(id)
	it[attrData], it[attrExpiresNS], it[attrExpiresAt] = bin(data), num(expires.UnixNano()), num(expires.Unix()+1)
	if _, err := m.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(m.Table), Item: it}); err != nil {
		return storeError("put ceremony", err)
	}
	return nil
}

// TakeCeremony deletes the item and returns what it held: of two instances
// taking it at once, one gets it.
func (m *Messages) TakeCeremony(ctx context.Context, id string, now time.Time) ([]byte, error) {
	out, err := m.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(m.Table), Key: ceremonyKey(id), ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return nil, storeError("take ceremony", err)
	}
	dec := decoder{it: out.Attributes}
	data, expires := dec.bin(attrData), dec.num(attrExpiresNS)
	if dec.err != nil {
		return nil, dec.err
	}
	if out.Attributes == nil || expires <= now.UnixNano() {
		return nil, imageapp.Errorf(imageapp.ENOTFOUND, "That sign-in attempt expired. Start again.")
	}
	return data, nil
}
