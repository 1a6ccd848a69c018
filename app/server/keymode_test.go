package server

import (
	"strings"
	"testing"
)

// TestConfigKeyMode: the key hierarchy is the default and needs the root
// key; the per-user KMS key mode needs none; any other mode is refused.
func TestConfigKeyMode(t *testing.T) {
	env := map[string]string{"IMAGEAPP_BACKEND": "aws", "IMAGEAPP_ALLOW_INSECURE_HTTP": "1", "IMAGEAPP_COGNITO_USER_POOL_ID": "p",
		"IMAGEAPP_COGNITO_CLIENT_ID": "c", "IMAGEAPP_USERS_TABLE": "u", "IMAGEAPP_MESSAGES_TABLE": "m", "IMAGEAPP_BUCKET": "b",
		"IMAGEAPP_APP_KEY_ID": "alias/imageapp/app"}
	if _, err := ConfigFromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_ROOT_KEY_ID") {
		t.Errorf("the default mode without a root key: %v; want an error naming IMAGEAPP_ROOT_KEY_ID", err)
	}
	env["IMAGEAPP_ROOT_KEY_ID"] = "alias/imageapp/root"
	if c, err := ConfigFromEnv(envOf(env)); err != nil || c.AWS.KeyMode != "hierarchy" || c.AWS.RootKeyID != "alias/imageapp/root" {
		t.Errorf("the default mode = %q, root %q (%v); want hierarchy under the given root key", c.AWS.KeyMode, c.AWS.RootKeyID, err)
	}
	delete(env, "IMAGEAPP_ROOT_KEY_ID")
	env["IMAGEAPP_KEY_MODE"] = "per-user-kms"
	if c, err := ConfigFromEnv(envOf(env)); err != nil || c.AWS.KeyMode != "per-user-kms" {
		t.Errorf("per-user-kms without a root key: %+v, %v; want it accepted", c.AWS, err)
	}
	env["IMAGEAPP_KEY_MODE"] = "per-user"
	if _, err := ConfigFromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_KEY_MODE") {
		t.Errorf("an unknown key mode: %v; want an error naming IMAGEAPP_KEY_MODE", err)
	}
}
