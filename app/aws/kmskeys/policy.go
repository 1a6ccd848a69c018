package kmskeys

import (
	"encoding/json"
	"fmt"
	"regexp"
)

// LostKeyPendingDays is the waiting period of a key dropped after losing
// the alias race; the key policy allows ScheduleKeyDeletion with this
// window only, so the roles cannot delete a key on short notice.
const LostKeyPendingDays = 30

// roleARN is an IAM role's ARN: partition, account and name (with path).
var roleARN = regexp.MustCompile(`^arn:(aws[a-z-]*):iam::([0-9]{12}):role/[A-Za-z0-9+=,.@_/-]{1,512}$`)

// ValidRoleARN tells whether arn is an IAM role's ARN.
func ValidRoleARN(arn string) bool { return roleARN.MatchString(arn) }

// KeyPolicy is the key policy of a new user key, in the role's account:
//
//   - the account's IAM administrators manage the key (KMS's default
//     statement), which also lets the IAM policies of terraform/kms.tf
//     (alias, describe, tags) apply;
//   - the app's role may GenerateDataKey and Decrypt, only with the
//     encryption context app = appName: granted by the key itself, it holds
//     from the moment the key exists, while IAM's tag conditions on a new
//     key can take minutes to see its tags;
//   - the app's role, and the creator's when another role creates keys
//     (the Lambda trigger), may schedule the key's deletion while it has no
//     alias, with a LostKeyPendingDays window: that is the key of a lost
//     race, which holds nothing. A key with an alias (a user's) cannot be
//     deleted by them. Alias changes can take up to five minutes to reach
//     authorization, so a key aliased moments ago is not yet protected by
//     this condition; the pending window still leaves administrators 30
//     days to cancel such a deletion.
func KeyPolicy(appName, appRoleARN, creatorRoleARN string) (string, error) {
	m := roleARN.FindStringSubmatch(appRoleARN)
	if m == nil {
		return "", fmt.Errorf("kmskeys: %q is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", appRoleARN)
	}
	root := "arn:" + m[1] + ":iam::" + m[2] + ":root"
	droppers := []string{appRoleARN}
	if creatorRoleARN != "" && creatorRoleARN != appRoleARN {
		if !roleARN.MatchString(creatorRoleARN) {
			return "", fmt.Errorf("kmskeys: %q is not an IAM role ARN", creatorRoleARN)
		}
		droppers = append(droppers, creatorRoleARN)
	}
	type principal struct {
		AWS any `json:"AWS"`
	}
	type statement struct {
		Sid       string
		Effect    string
		Principal principal
		Action    any
		Resource  string
		Condition map[string]map[string]string `json:",omitempty"`
	}
	doc := struct {
		Version   string
		Id        string
		Statement []statement
	}{
		Version: "2012-10-17",
		Id:      appName + "-user-key",
		Statement: []statement{
			{
				Sid: "AccountAdministersThroughIAM", Effect: "Allow",
				Principal: principal{AWS: root}, Action: "kms:*", Resource: "*",
			},
			{
				Sid: "AppUsesKeyUnderAppContext", Effect: "Allow",
				Principal: principal{AWS: appRoleARN},
				Action:    []string{"kms:GenerateDataKey", "kms:Decrypt"}, Resource: "*",
				Condition: map[string]map[string]string{"StringEquals": {"kms:EncryptionContext:app": appName}},
			},
			{
				Sid: "CreatorDropsUnaliasedKey", Effect: "Allow",
				Principal: principal{AWS: droppers}, Action: "kms:ScheduleKeyDeletion", Resource: "*",
				Condition: map[string]map[string]string{
					"Null":          {"kms:ResourceAliases": "true"},
					"NumericEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": fmt.Sprint(LostKeyPendingDays)},
				},
			},
		},
	}
	raw, err := json.Marshal(doc)
	return string(raw), err
}
