package awsbackend

import (
	"fmt"

	"imageapp/app/aws/kmskeys"
	"imageapp/app/imageapp"
)

// Names are the app's names for its AWS resources: what Terraform creates
// and outputs, each read from one IMAGEAPP_* variable (nameVars). The app,
// the Lambda trigger, the aws subcommand and the emulators' test resources
// all use this one struct.
type Names struct {
	AppName       string // IMAGEAPP_APP_NAME: encryption contexts, key aliases, tags, topic names
	UserPoolID    string
	ClientID      string
	ClientSecret  string
	UsersTable    string
	MessagesTable string
	Bucket        string
	AppKeyID      string // IMAGEAPP_APP_KEY_ID: the app's KMS key, wraps the cookie keys
	AppRoleARN    string // IMAGEAPP_APP_ROLE_ARN: named in every new per-user KMS key's policy; "" = KMS's default policy
	// KeyMode is how users' keys are kept (IMAGEAPP_KEY_MODE):
	// kmskeys.ModeHierarchy (the default) or kmskeys.ModePerUserKMS.
	KeyMode   string
	RootKeyID string // IMAGEAPP_ROOT_KEY_ID: the deployment's KMS key that wraps user keys (hierarchy mode)
	// MailMode is how notification mail goes (IMAGEAPP_MAIL): MailSNS (the
	// default), a topic per user with the address subscribed, or MailSES,
	// SendEmail straight to the address.
	MailMode            string
	SESFrom             string // IMAGEAPP_SES_FROM: the From address of notification mail (ses mode)
	SESConfigurationSet string // IMAGEAPP_SES_CONFIGURATION_SET: reports bounces and complaints (ses mode); optional

	BaseURL string // links in notifications: the app's public URL, not a resource (no variable here)
}

// nameVars ties each name to its variable, once.
var nameVars = []struct {
	env      string
	field    func(*Names) *string
	required bool // by the app in AWS mode
}{
	{"IMAGEAPP_APP_NAME", func(n *Names) *string { return &n.AppName }, false},
	{"IMAGEAPP_COGNITO_USER_POOL_ID", func(n *Names) *string { return &n.UserPoolID }, true},
	{"IMAGEAPP_COGNITO_CLIENT_ID", func(n *Names) *string { return &n.ClientID }, true},
	{"IMAGEAPP_COGNITO_CLIENT_SECRET", func(n *Names) *string { return &n.ClientSecret }, false},
	{"IMAGEAPP_USERS_TABLE", func(n *Names) *string { return &n.UsersTable }, true},
	{"IMAGEAPP_MESSAGES_TABLE", func(n *Names) *string { return &n.MessagesTable }, true},
	{"IMAGEAPP_BUCKET", func(n *Names) *string { return &n.Bucket }, true},
	{"IMAGEAPP_APP_KEY_ID", func(n *Names) *string { return &n.AppKeyID }, true},
	{"IMAGEAPP_APP_ROLE_ARN", func(n *Names) *string { return &n.AppRoleARN }, false},
	{"IMAGEAPP_KEY_MODE", func(n *Names) *string { return &n.KeyMode }, false},
	{"IMAGEAPP_ROOT_KEY_ID", func(n *Names) *string { return &n.RootKeyID }, false},
	{"IMAGEAPP_MAIL", func(n *Names) *string { return &n.MailMode }, false},
	{"IMAGEAPP_SES_FROM", func(n *Names) *string { return &n.SESFrom }, false},
	{"IMAGEAPP_SES_CONFIGURATION_SET", func(n *Names) *string { return &n.SESConfigurationSet }, false},
}

// The mail modes (Names.MailMode).
const (
	MailSNS = "sns"
	MailSES = "ses"
)

// NamesFromEnv reads the names through getenv, with the defaults of the
// app name, the key mode and the mail mode filled in.
func NamesFromEnv(getenv func(string) string) Names {
	var n Names
	for _, v := range nameVars {
		*v.field(&n) = getenv(v.env)
	}
	return n.withDefaults()
}

func (n Names) withDefaults() Names {
	if n.AppName == "" {
		n.AppName = imageapp.DefaultAppName
	}
	if n.KeyMode == "" {
		n.KeyMode = kmskeys.ModeHierarchy
	}
	if n.MailMode == "" {
		n.MailMode = MailSNS
	}
	return n
}

// Env is the names as the app's variables (for a process started with them).
func (n Names) Env() map[string]string {
	env := map[string]string{}
	for _, v := range nameVars {
		env[v.env] = *v.field(&n)
	}
	return env
}

// Check says which name the app needs in AWS mode and lacks, or which is
// malformed, by its variable.
func (n Names) Check() error {
	n = n.withDefaults()
	for _, v := range nameVars {
		if v.required && *v.field(&n) == "" {
			return fmt.Errorf("%s is required when IMAGEAPP_BACKEND=aws (terraform output gives it)", v.env)
		}
	}
	if n.AppRoleARN != "" && !kmskeys.ValidRoleARN(n.AppRoleARN) {
		return fmt.Errorf("IMAGEAPP_APP_ROLE_ARN must be an IAM role ARN like arn:aws:iam::123456789012:role/imageapp-app, not %q", n.AppRoleARN)
	}
	if err := n.checkMailMode(); err != nil {
		return err
	}
	if n.MailMode == MailSES && n.SESFrom == "" {
		return fmt.Errorf("IMAGEAPP_SES_FROM is required when IMAGEAPP_MAIL=%s: the From address of notification mail, "+
			"within a verified SES identity (terraform output gives it)", MailSES)
	}
	return n.checkKeyMode()
}

func (n Names) checkMailMode() error {
	if n.MailMode != MailSNS && n.MailMode != MailSES {
		return fmt.Errorf("IMAGEAPP_MAIL must be %s or %s, not %q", MailSNS, MailSES, n.MailMode)
	}
	return nil
}

func (n Names) checkKeyMode() error {
	switch n.KeyMode {
	case kmskeys.ModeHierarchy:
		if n.RootKeyID == "" {
			return fmt.Errorf("IMAGEAPP_ROOT_KEY_ID is required when IMAGEAPP_KEY_MODE=%s (terraform output gives it)", kmskeys.ModeHierarchy)
		}
	case kmskeys.ModePerUserKMS:
	default:
		return fmt.Errorf("IMAGEAPP_KEY_MODE must be %s or %s, not %q", kmskeys.ModeHierarchy, kmskeys.ModePerUserKMS, n.KeyMode)
	}
	return nil
}
