package kmskeys

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// DeletedAccountPendingDays is the waiting period of a deleted account's
// key: KMS's minimum. The key is unusable from the call on (KMS refuses
// every use of a key pending deletion), so every image sent to the account
// is unreadable at once; an administrator can still cancel the deletion
// within the window, after which the key, and with it every data key it
// wrapped, is gone for good.
const DeletedAccountPendingDays = 7

// DestroyUserKey schedules the key's deletion with the shortest window. A
// key that is gone or pending deletion already is not an error.
func (k *Keys) DestroyUserKey(ctx context.Context, keyID string) error {
	_, err := k.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{
		KeyId: aws.String(keyID), PendingWindowInDays: aws.Int32(DeletedAccountPendingDays),
	})
	var state *types.KMSInvalidStateException
	if err == nil || isNotFound(err) || errors.As(err, &state) {
		return nil
	}
	return fmt.Errorf("kmskeys: schedule deletion of %s: %w", keyID, err)
}
