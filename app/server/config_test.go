package server

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestConfigBaseURL: a base URL must be a site's address, and without one
// mail links point at this machine rather than being bare paths.
func TestConfigBaseURL(t *testing.T) {
	for _, bad := range []string{"img.example.com", "javascript:alert(1)", "https://", "https://img.example.com/app?x=1", "ftp://img.example.com",
		"https://user:pw@img.example.com", "https://img.example.com/#top", "https://img.example.com?"} {
		_, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_BASE_URL": bad}))
		if err == nil || !strings.Contains(err.Error(), "IMAGEAPP_BASE_URL") {
			t.Errorf("IMAGEAPP_BASE_URL=%q: got %v, want an error naming the variable", bad, err)
		}
	}
	for env, want := range map[[3]string]string{
		{"https://img.example.com/", "", ""}:    "https://img.example.com",
		{"HTTPS://IMG.Example.com", "", ""}:     "https://img.example.com",
		{"", ":3000", ""}:                       "http://localhost:3000",
		{"", "192.0.2.1:8080", ""}:              "http://192.0.2.1:8080",
		{"", ":8443", "/etc/imageapp/cert.pem"}: "https://localhost:8443",
	} {
		c, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_BASE_URL": env[0], "IMAGEAPP_ADDR": env[1],
			"IMAGEAPP_TLS_CERT": env[2], "IMAGEAPP_TLS_KEY": env[2]}))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.PublicURL(); got != want {
			t.Errorf("%q: public URL %q, want %q", env, got, want)
		}
	}
	// The scheme's case does not decide security: HTTPS:// still means Secure __Host- cookies.
	if c, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_BASE_URL": "HTTPS://Img.Example.com/"})); err != nil || !c.Secure() {
		t.Errorf("HTTPS://Img.Example.com/: secure %v, err %v; want secure", c.Secure(), err)
	}
}

// TestConfigTrustedProxies: CIDRs and bare addresses parse; anything else is
// refused with the variable's name.
func TestConfigTrustedProxies(t *testing.T) {
	c, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_TRUSTED_PROXIES": "10.0.0.0/16, 192.0.2.7 ::1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/16", "192.0.2.7/32", "::1/128"}
	if len(c.TrustedProxies) != len(want) {
		t.Fatalf("got %v, want %v", c.TrustedProxies, want)
	}
	for i, p := range c.TrustedProxies {
		if p.String() != want[i] {
			t.Errorf("prefix %d = %s, want %s", i, p, want[i])
		}
	}
	if _, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_TRUSTED_PROXIES": "proxy.internal"})); err == nil ||
		!strings.Contains(err.Error(), "IMAGEAPP_TRUSTED_PROXIES") {
		t.Errorf("a host name was accepted: %v", err)
	}
}

// TestConfigAWSModeNeedsHTTPS: AWS mode serves real people, so it refuses a
// plain http:// address (or none) unless IMAGEAPP_ALLOW_INSECURE_HTTP says
// this is a dev stack; https:// or the app's own TLS passes without it.
func TestConfigAWSModeNeedsHTTPS(t *testing.T) {
	aws := func(extra map[string]string) map[string]string {
		env := map[string]string{"IMAGEAPP_BACKEND": "aws", "IMAGEAPP_COGNITO_USER_POOL_ID": "p", "IMAGEAPP_COGNITO_CLIENT_ID": "c",
			"IMAGEAPP_USERS_TABLE": "u", "IMAGEAPP_MESSAGES_TABLE": "m", "IMAGEAPP_BUCKET": "b", "IMAGEAPP_APP_KEY_ID": "alias/imageapp/app",
			"IMAGEAPP_ROOT_KEY_ID": "alias/imageapp/root"}
		for k, v := range extra {
			env[k] = v
		}
		return env
	}
	for _, env := range []map[string]string{
		aws(nil), // no base URL: http://localhost:3000
		aws(map[string]string{"IMAGEAPP_BASE_URL": "http://img.example.com"}),
		aws(map[string]string{"IMAGEAPP_BASE_URL": "http://img.example.com", "IMAGEAPP_ALLOW_INSECURE_HTTP": "0"}),
	} {
		_, err := ConfigFromEnv(envOf(env))
		if err == nil || !strings.Contains(err.Error(), "https://") || !strings.Contains(err.Error(), "IMAGEAPP_ALLOW_INSECURE_HTTP") {
			t.Errorf("AWS mode on %q: %v; want a refusal naming https:// and IMAGEAPP_ALLOW_INSECURE_HTTP", env["IMAGEAPP_BASE_URL"], err)
		}
	}
	for _, env := range []map[string]string{
		aws(map[string]string{"IMAGEAPP_BASE_URL": "https://img.example.com"}),
		aws(map[string]string{"IMAGEAPP_TLS_CERT": "/etc/cert.pem", "IMAGEAPP_TLS_KEY": "/etc/key.pem"}),
		aws(map[string]string{"IMAGEAPP_BASE_URL": "http://localhost:3000", "IMAGEAPP_ALLOW_INSECURE_HTTP": "1"}),
		aws(map[string]string{"IMAGEAPP_ALLOW_INSECURE_HTTP": "true"}),
		{"IMAGEAPP_BASE_URL": "http://img.example.com"}, // local mode: plain HTTP is the user's choice
	} {
		if _, err := ConfigFromEnv(envOf(env)); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
	if _, err := ConfigFromEnv(envOf(aws(map[string]string{"IMAGEAPP_ALLOW_INSECURE_HTTP": "yes please"}))); err == nil ||
		!strings.Contains(err.Error(), "IMAGEAPP_ALLOW_INSECURE_HTTP") {
		t.Errorf("a value that is no boolean: %v; want an error naming the variable", err)
	}
}

// TestConfigSendingLimits: the sending budgets and the quota parse, default
// generously, and a wrong value is refused naming its variable.
func TestConfigSendingLimits(t *testing.T) {
	c, err := ConfigFromEnv(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.SendPerMinute != 30 || c.SendBytesPerHour != 500<<20 || c.QuotaBytes != 1<<30 {
		t.Errorf("defaults: %d/min, %d bytes/h, quota %d", c.SendPerMinute, c.SendBytesPerHour, c.QuotaBytes)
	}
	c, err = ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_SEND_PER_MINUTE": "6", "IMAGEAPP_SEND_BYTES_PER_HOUR": "104857600", "IMAGEAPP_QUOTA_BYTES": "5000000"}))
	if err != nil {
		t.Fatal(err)
	}
	if l := c.limits(); l.Sends.Burst != 6 || l.Sends.Every != 10*time.Second || l.SendKiB.Burst != 100<<10 || c.quota() != 5_000_000 {
		t.Errorf("limits %+v, quota %d", l, c.quota())
	}
	for env, name := range map[[2]string]string{
		{"IMAGEAPP_SEND_PER_MINUTE", "0"}:           "IMAGEAPP_SEND_PER_MINUTE",
		{"IMAGEAPP_SEND_PER_MINUTE", "lots"}:        "IMAGEAPP_SEND_PER_MINUTE",
		{"IMAGEAPP_SEND_BYTES_PER_HOUR", "-1"}:      "IMAGEAPP_SEND_BYTES_PER_HOUR",
		{"IMAGEAPP_SEND_BYTES_PER_HOUR", "1048576"}: "IMAGEAPP_SEND_BYTES_PER_HOUR", // under one 20 MiB upload
		{"IMAGEAPP_QUOTA_BYTES", "1GiB"}:            "IMAGEAPP_QUOTA_BYTES",
	} {
		if _, err := ConfigFromEnv(envOf(map[string]string{env[0]: env[1]})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: %v; want an error naming %s", env[0], env[1], err, name)
		}
	}
}

// TestTheOutboxBoundsComeFromTheEnvironment: IMAGEAPP_OUTBOX_MAX_FILES and
// IMAGEAPP_OUTBOX_MAX_DAYS default to a thousand mails and a week, take
// positive numbers, and an error names the variable.
func TestTheOutboxBoundsComeFromTheEnvironment(t *testing.T) {
	c, err := ConfigFromEnv(envOf(nil))
	if err != nil || c.OutboxMaxFiles != 1000 || c.OutboxMaxDays != 7 {
		t.Errorf("by default the outbox keeps %d files, %d days (%v); want 1000 and 7", c.OutboxMaxFiles, c.OutboxMaxDays, err)
	}
	c, err = ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_OUTBOX_MAX_FILES": "50", "IMAGEAPP_OUTBOX_MAX_DAYS": "2"}))
	if err != nil || c.OutboxMaxFiles != 50 || c.OutboxMaxDays != 2 {
		t.Errorf("IMAGEAPP_OUTBOX_MAX_FILES=50, _DAYS=2: %d files, %d days (%v)", c.OutboxMaxFiles, c.OutboxMaxDays, err)
	}
	for _, name := range []string{"IMAGEAPP_OUTBOX_MAX_FILES", "IMAGEAPP_OUTBOX_MAX_DAYS"} {
		for _, bad := range []string{"0", "-3", "many"} {
			if _, err := ConfigFromEnv(envOf(map[string]string{name: bad})); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%s: %v; want an error naming it", name, bad, err)
			}
		}
	}
}

// TestTheAppsOutboxStaysBounded: the embedded backend's outbox keeps no
// more mails than configured, however many it writes.
func TestTheAppsOutboxStaysBounded(t *testing.T) {
	app := startApp(t, t.TempDir(), func(c *Config) { c.OutboxMaxFiles = 2 })
	for _, name := range []string{"alice", "bob", "carol", "dave"} {
		app.signUp(name)
	}
	if mails, _ := filepath.Glob(filepath.Join(app.dir, "outbox", "*.eml")); len(mails) != 2 {
		t.Errorf("after four sign-ups with OutboxMaxFiles 2 the outbox holds %d mails; want 2", len(mails))
	}
}

func TestLogFormatIsTextOrJSON(t *testing.T) {
	for format, want := range map[string]string{"": "text", "text": "text", "json": "json"} {
		c, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_LOG_FORMAT": format}))
		if err != nil || c.LogFormat != want {
			t.Errorf("IMAGEAPP_LOG_FORMAT=%q: %q, %v; want %q", format, c.LogFormat, err, want)
		}
	}
	for _, bad := range []string{"JSON", "logfmt", "xml"} {
		if _, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_LOG_FORMAT": bad})); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_LOG_FORMAT") {
			t.Errorf("IMAGEAPP_LOG_FORMAT=%q: %v; want an error naming the variable", bad, err)
		}
	}
}

// TestMetricsFormat: IMAGEAPP_METRICS is emf or nothing; anything else is
// refused by name rather than silently writing no metrics.
func TestMetricsFormat(t *testing.T) {
	for _, v := range []string{"", "emf"} {
		c, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_METRICS": v}))
		if err != nil || c.Metrics != v {
			t.Errorf("IMAGEAPP_METRICS=%q: %q, %v", v, c.Metrics, err)
		}
	}
	if _, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_METRICS": "prometheus"})); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_METRICS") {
		t.Errorf("IMAGEAPP_METRICS=prometheus: %v; want an error naming the variable", err)
	}
}

// TestConfigSESMailNeedsAFromAddress: IMAGEAPP_MAIL=ses sends from
// IMAGEAPP_SES_FROM, so the app refuses to start without it, naming it;
// an unknown mail mode is refused too.
func TestConfigSESMailNeedsAFromAddress(t *testing.T) {
	env := map[string]string{"IMAGEAPP_BACKEND": "aws", "IMAGEAPP_COGNITO_USER_POOL_ID": "p", "IMAGEAPP_COGNITO_CLIENT_ID": "c",
		"IMAGEAPP_USERS_TABLE": "u", "IMAGEAPP_MESSAGES_TABLE": "m", "IMAGEAPP_BUCKET": "b", "IMAGEAPP_APP_KEY_ID": "alias/imageapp/app",
		"IMAGEAPP_ROOT_KEY_ID": "alias/imageapp/root", "IMAGEAPP_BASE_URL": "https://img.example.com", "IMAGEAPP_MAIL": "ses"}
	if _, err := ConfigFromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_SES_FROM") {
		t.Errorf("ses mail without a From address: %v; want a refusal naming IMAGEAPP_SES_FROM", err)
	}
	env["IMAGEAPP_SES_FROM"] = "ImageApp <no-reply@img.example.com>"
	c, err := ConfigFromEnv(envOf(env))
	if err != nil || c.AWS.MailMode != "ses" || c.AWS.SESFrom != env["IMAGEAPP_SES_FROM"] {
		t.Errorf("ses mail with a From address: %+v, %v", c.AWS, err)
	}
	env["IMAGEAPP_MAIL"] = "smtp"
	if _, err := ConfigFromEnv(envOf(env)); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_MAIL") {
		t.Errorf("IMAGEAPP_MAIL=smtp: %v; want a refusal naming IMAGEAPP_MAIL", err)
	}
	delete(env, "IMAGEAPP_MAIL")
	delete(env, "IMAGEAPP_SES_FROM")
	if c, err := ConfigFromEnv(envOf(env)); err != nil || c.AWS.MailMode != "sns" {
		t.Errorf("no IMAGEAPP_MAIL: mode %q, %v; want sns", c.AWS.MailMode, err)
	}
}

// TestConfigCookieValues: cookies are written as JSON by the embedded
// backend and as gob in AWS mode unless IMAGEAPP_COOKIE_VALUES says, for a
// cluster whose older instances read gob only; anything else is refused.
func TestConfigCookieValues(t *testing.T) {
	for _, c := range []struct {
		backend, values string
		gob             bool
	}{{"local", "", false}, {"aws", "", true}, {"aws", "json", false}, {"local", "gob", true}} {
		cfg := Config{Backend: c.backend, CookieValues: c.values}
		if got := cfg.gobCookies(); got != c.gob {
			t.Errorf("backend %s, IMAGEAPP_COOKIE_VALUES=%q: gob %v, want %v", c.backend, c.values, got, c.gob)
		}
	}
	if _, err := ConfigFromEnv(envOf(map[string]string{"IMAGEAPP_COOKIE_VALUES": "xml"})); err == nil || !strings.Contains(err.Error(), "IMAGEAPP_COOKIE_VALUES") {
		t.Errorf("IMAGEAPP_COOKIE_VALUES=xml: %v, want an error naming the variable", err)
	}
}
