package server

import (
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/middleware"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/imageapp"
	"imageapp/app/local"
	"imageapp/app/web"
)

// Config is everything the app reads from its environment (IMAGEAPP_*),
// validated once at start. Flags of the same names override it.
type Config struct {
	Backend        string // local (default) or aws
	Addr           string
	DataDir        string
	BaseURL        string // public URL, for links in mail; "" = http://localhost<addr>
	MaxUploadBytes int64
	MaxPixels      int
	AppName        string // the "app" value of encryption contexts, KMS tags and topic names
	MasterKey      string // local: base64 master key; "" = generated into the data dir
	ReactDir       string // built React client served under /react/ when present
	TLSCert        string
	TLSKey         string
	ValkeyURL      string         // the shared store of a cluster (limits, live events, leases); "" = in process
	TrustedProxies []netip.Prefix // peers (load balancers) whose X-Forwarded-For names the client
	Limits         web.Limits     // abuse limits; zero means web.DefaultLimits() (tests tune them)
	// SendPerMinute and SendBytesPerHour are each sender's budgets
	// (IMAGEAPP_SEND_PER_MINUTE, IMAGEAPP_SEND_BYTES_PER_HOUR); zero means
	// Limits.Sends and Limits.SendKiB as they are (web's defaults if zero).
	SendPerMinute    int
	SendBytesPerHour int64
	// QuotaBytes is how many bytes of received images each user may keep
	// (IMAGEAPP_QUOTA_BYTES); zero means DefaultQuotaBytes.
	QuotaBytes int64
	// OutboxMaxFiles and OutboxMaxDays bound the embedded backend's mail
	// outbox: the newest this many mails, none older than this many days
	// (IMAGEAPP_OUTBOX_MAX_FILES, IMAGEAPP_OUTBOX_MAX_DAYS); zero means
	// local.DefaultOutboxMaxFiles and local.DefaultOutboxMaxAge.
	OutboxMaxFiles int
	OutboxMaxDays  int
	Pace           web.Pace         // how fast request bodies must come; zero means web.DefaultPace()
	Now            func() time.Time // the clock; nil means time.Now (tests move it)
	// HashSlots is how many password hashes (19 MiB each) may run at once in
	// the embedded backend; zero means as many as a quarter of the memory
	// holds, at most one per CPU (IMAGEAPP_HASH_SLOTS). HashWait is how long
	// a login waits for one before a 503; zero means 2 s (tests shorten it).
	HashSlots int
	HashWait  time.Duration
	// Drain is how long a stopping server lets requests in flight finish
	// (IMAGEAPP_DRAIN_SECONDS); zero means DefaultDrain. See App.Serve.
	Drain time.Duration
	// CookieKeysEvery is how often AWS mode re-reads the cluster's cookie
	// keys; zero means cookiekeys.RefreshEvery (tests shorten it).
	CookieKeysEvery time.Duration
	// LogFormat is how log lines are written: "text" (slog's text handler;
	// "" too) or "json", one object per line (IMAGEAPP_LOG_FORMAT).
	LogFormat string
	// Metrics is "emf" to write the app's metrics to MetricsOut as one
	// CloudWatch Embedded Metric Format line a minute (IMAGEAPP_METRICS),
	// or "" for none. MetricsOut is set by main (standard output).
	Metrics    string
	MetricsOut io.Writer
	// AllowInsecureHTTP lets AWS mode run on a plain http:// address: for
	// emulators and dev stacks only (IMAGEAPP_ALLOW_INSECURE_HTTP=1).
	AllowInsecureHTTP bool
	// VAPIDKey signs Web Push requests (IMAGEAPP_VAPID_KEY, webpush.NewKey's
	// encoding): AWS mode's key, from an SSM parameter; "" there = no push.
	// The embedded backend keeps its own in secrets.json.
	VAPIDKey string
	// CookieValues is how cookie values are written, "json" or "gob"
	// (IMAGEAPP_COOKIE_VALUES); both are read. "" means json for the
	// embedded backend (one process) and gob in AWS mode, where during a
	// rolling deploy or after a rollback an instance may run a version that
	// reads gob only: set json once every instance runs this one.
	CookieValues string

	AWS AWSConfig
	// AWSAPIOptions are extra SDK middleware for every AWS client (the test
	// that counts AWS calls per operation adds its counter here).
	AWSAPIOptions []func(*middleware.Stack) error
}

// AWSConfig names the AWS resources Terraform creates (its outputs use the
// same variable names): the one struct of them, awsbackend.Names. Region,
// credentials and endpoints come from the SDK's default chain (AWS_REGION,
// AWS_ENDPOINT_URL_*, ...).
type AWSConfig = awsbackend.Names

// ConfigFromEnv reads the IMAGEAPP_* variables through getenv and validates them.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Backend:      or(getenv("IMAGEAPP_BACKEND"), "local"),
		Addr:         or(getenv("IMAGEAPP_ADDR"), ":3000"),
		DataDir:      or(getenv("IMAGEAPP_DATA_DIR"), "./data"),
		BaseURL:      normalURL(getenv("IMAGEAPP_BASE_URL")),
		AppName:      or(getenv("IMAGEAPP_APP_NAME"), imageapp.DefaultAppName),
		MasterKey:    getenv("IMAGEAPP_MASTER_KEY"),
		ReactDir:     or(getenv("IMAGEAPP_REACT_DIR"), "./react/dist"),
		TLSCert:      getenv("IMAGEAPP_TLS_CERT"),
		TLSKey:       getenv("IMAGEAPP_TLS_KEY"),
		ValkeyURL:    getenv("IMAGEAPP_VALKEY_URL"),
		VAPIDKey:     getenv("IMAGEAPP_VAPID_KEY"),
		LogFormat:    or(getenv("IMAGEAPP_LOG_FORMAT"), "text"),
		Metrics:      getenv("IMAGEAPP_METRICS"),
		CookieValues: getenv("IMAGEAPP_COOKIE_VALUES"),
		AWS:          awsbackend.NamesFromEnv(getenv),
	}
	var err error
	if v := getenv("IMAGEAPP_ALLOW_INSECURE_HTTP"); v != "" {
		if c.AllowInsecureHTTP, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("config: IMAGEAPP_ALLOW_INSECURE_HTTP must be 1 or 0, not %q", v)
		}
	}
	if c.TrustedProxies, err = prefixes(getenv("IMAGEAPP_TRUSTED_PROXIES")); err != nil {
		return c, err
	}
	if c.MaxUploadBytes, err = intVar(getenv, "IMAGEAPP_MAX_UPLOAD_BYTES", 20<<20); err != nil {
		return c, err
	}
	perMinute, err := intVar(getenv, "IMAGEAPP_SEND_PER_MINUTE", web.DefaultSendsPerMinute)
	if err != nil {
		return c, err
	}
	if perMinute > 1_000_000 {
		return c, fmt.Errorf("config: IMAGEAPP_SEND_PER_MINUTE must be at most 1000000, not %d", perMinute)
	}
	c.SendPerMinute = int(perMinute)
	if c.SendBytesPerHour, err = intVar(getenv, "IMAGEAPP_SEND_BYTES_PER_HOUR", web.DefaultSendBytesPerHour); err != nil {
		return c, err
	}
	if c.QuotaBytes, err = intVar(getenv, "IMAGEAPP_QUOTA_BYTES", DefaultQuotaBytes); err != nil {
		return c, err
	}
	outboxFiles, err := intVar(getenv, "IMAGEAPP_OUTBOX_MAX_FILES", local.DefaultOutboxMaxFiles)
	if err != nil {
		return c, err
	}
	outboxDays, err := intVar(getenv, "IMAGEAPP_OUTBOX_MAX_DAYS", int64(local.DefaultOutboxMaxAge/(24*time.Hour)))
	if err != nil {
		return c, err
	}
	if outboxFiles > 1_000_000 || outboxDays > 36_500 {
		return c, fmt.Errorf("config: IMAGEAPP_OUTBOX_MAX_FILES must be at most 1000000 and IMAGEAPP_OUTBOX_MAX_DAYS at most 36500")
	}
	c.OutboxMaxFiles, c.OutboxMaxDays = int(outboxFiles), int(outboxDays)
	maxPixels, err := intVar(getenv, "IMAGEAPP_MAX_PIXELS", 40_000_000)
	if err != nil {
		return c, err
	}
	c.MaxPixels = int(maxPixels)
	drain, err := intVar(getenv, "IMAGEAPP_DRAIN_SECONDS", int64(DefaultDrain/time.Second))
	if err != nil {
		return c, err
	}
	c.Drain = time.Duration(drain) * time.Second
	if getenv("IMAGEAPP_HASH_SLOTS") != "" {
		slots, err := intVar(getenv, "IMAGEAPP_HASH_SLOTS", 0)
		if err != nil {
			return c, err
		}
		c.HashSlots = int(slots)
	}
	return c, c.Validate()
}

// Validate says which setting is wrong, naming its variable.
func (c Config) Validate() error {
	switch c.Backend {
	case "local":
	case "aws":
		if err := c.AWS.Check(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	default:
		return fmt.Errorf("config: IMAGEAPP_BACKEND must be local or aws, not %q", c.Backend)
	}
	if c.CookieValues != "" && c.CookieValues != "json" && c.CookieValues != "gob" {
		return fmt.Errorf("config: IMAGEAPP_COOKIE_VALUES must be json or gob, not %q", c.CookieValues)
	}
	if c.Metrics != "" && c.Metrics != "emf" {
		return fmt.Errorf("config: IMAGEAPP_METRICS must be emf or empty, not %q", c.Metrics)
	}
	if c.LogFormat != "" && c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("config: IMAGEAPP_LOG_FORMAT must be text or json, not %q", c.LogFormat)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || strings.Contains(c.BaseURL, "#") {
			return fmt.Errorf("config: IMAGEAPP_BASE_URL must be the site's address, like https://img.example.com, not %q", c.BaseURL)
		}
	}
	if c.Backend == "aws" && !c.Secure() && !c.AllowInsecureHTTP {
		// Real people sign in here: cookies must be Secure, passwords must
		// not cross the network in the clear.
		return fmt.Errorf("config: AWS mode needs IMAGEAPP_BASE_URL to be the site's https:// address (TLS may end at the "+
			"load balancer), not %q; only against emulators on your machine set IMAGEAPP_ALLOW_INSECURE_HTTP=1", c.PublicURL())
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("config: set both IMAGEAPP_TLS_CERT and IMAGEAPP_TLS_KEY, or neither")
	}
	if c.MaxUploadBytes < 1024 {
		return fmt.Errorf("config: IMAGEAPP_MAX_UPLOAD_BYTES must be at least 1024")
	}
	if c.SendBytesPerHour != 0 && c.SendBytesPerHour < c.MaxUploadBytes {
		return fmt.Errorf("config: IMAGEAPP_SEND_BYTES_PER_HOUR (%d) must be at least IMAGEAPP_MAX_UPLOAD_BYTES (%d): "+
			"a budget must hold one image of the largest size", c.SendBytesPerHour, c.MaxUploadBytes)
	}
	if c.SendPerMinute < 0 || c.SendBytesPerHour < 0 || c.QuotaBytes < 0 {
		return fmt.Errorf("config: IMAGEAPP_SEND_PER_MINUTE, IMAGEAPP_SEND_BYTES_PER_HOUR and IMAGEAPP_QUOTA_BYTES must be positive")
	}
	return nil
}

// DefaultQuotaBytes is each user's storage quota of received images: about
// ten thousand photos from a phone.
const DefaultQuotaBytes = 1 << 30

// limits are the web layer's limits: Limits with the sending budgets
// SendPerMinute and SendBytesPerHour set.
func (c Config) limits() web.Limits {
	l := c.Limits
	if c.SendPerMinute > 0 || c.SendBytesPerHour > 0 {
		sends, kib := web.SendLimits(or0(c.SendPerMinute, web.DefaultSendsPerMinute), or0(c.SendBytesPerHour, web.DefaultSendBytesPerHour))
		if c.SendPerMinute > 0 {
			l.Sends = sends
		}
		if c.SendBytesPerHour > 0 {
			l.SendKiB = kib
		}
	}
	return l
}

// DefaultDrain is how long a stopping server waits for requests in
// flight: under the 90 s an orchestrator (ECS, Kubernetes: 30 s unless
// told) is set to wait before it kills the process.
const DefaultDrain = 60 * time.Second

// drain is Drain, or its default.
func (c Config) drain() time.Duration { return or0(c.Drain, DefaultDrain) }

// quota is QuotaBytes, or its default.
func (c Config) quota() int64 { return or0(c.QuotaBytes, DefaultQuotaBytes) }

func or0[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// normalURL lower-cases an address's scheme and host (HTTPS://X and
// https://x are one site) and drops a trailing slash; validate judges the rest.
func normalURL(raw string) string {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Opaque != "" {
		return raw // validate says what is wrong with it
	}
	u.Host = strings.ToLower(u.Host) // url.Parse lower-cases the scheme already
	return u.String()
}

// Secure tells whether the app is reached over TLS: its own, or a proxy's.
func (c Config) Secure() bool {
	return c.TLSCert != "" || strings.HasPrefix(c.BaseURL, "https://")
}

// PublicURL is where people reach the app, for links in mail: BaseURL, or
// else this machine at the listen address.
func (c Config) PublicURL() string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	host := c.Addr
	if strings.HasPrefix(host, ":") {
		host = "localhost" + host
	}
	return scheme + "://" + host
}

func intVar(getenv func(string) string, name string, def int64) (int64, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("config: %s must be a positive whole number, not %q", name, v)
	}
	return n, nil
}

// prefixes parses a comma- or space-separated list of CIDRs (a bare address
// is its own /32 or /128).
func prefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			addr, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("config: IMAGEAPP_TRUSTED_PROXIES must list CIDRs like 10.0.0.0/16, not %q", f)
			}
			p = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// gobCookies reports whether cookie values are written as gob (see
// CookieValues).
func (c Config) gobCookies() bool {
	if c.CookieValues == "" {
		return c.Backend == "aws"
	}
	return c.CookieValues == "gob"
}
