// Package awstest runs the AWS services the app uses as protocol emulators
// on loopback, so the AWS adapters are tested with the real SDK clients and
// no account: local-kms (KMS), gofakes3 in-process (S3), DynamoDB Local,
// goaws (SNS), cognito-local (Cognito) and aws-lambda-rie (Lambda, running
// the real lambda/ binary as the post-confirmation trigger).
//
// It installs the pinned emulators into a cache on first use (a few minutes;
// later runs reuse it), starts them on free ports, waits until each answers,
// and stops them on Close. A test whose emulator cannot start fails: callers
// must never skip.
package awstest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Service names an emulated AWS service.
type Service string

const (
	KMS      Service = "kms"
	S3       Service = "s3"
	DynamoDB Service = "dynamodb"
	SNS      Service = "sns"
	Cognito  Service = "cognito"
	Lambda   Service = "lambda"
)

// endpointEnv is the SDK's standard endpoint variable of each service.
var endpointEnv = map[Service]string{
	KMS:      "AWS_ENDPOINT_URL_KMS",
	S3:       "AWS_ENDPOINT_URL_S3",
	DynamoDB: "AWS_ENDPOINT_URL_DYNAMODB",
	SNS:      "AWS_ENDPOINT_URL_SNS",
	Cognito:  "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
	Lambda:   "AWS_ENDPOINT_URL_LAMBDA",
}

// All is every service.
func All() []Service { return []Service{KMS, S3, DynamoDB, SNS, Cognito, Lambda} }

const (
	Region = "us-east-1"
	// Code is every confirmation and reset code cognito-local sends.
	Code = "123456"
	// LambdaFunction is the only function name aws-lambda-rie serves.
	LambdaFunction = "function"
)

// Options say which emulators to run.
type Options struct {
	Services []Service
	// LambdaBinary is the bootstrap aws-lambda-rie runs (see BuildLambda);
	// with Cognito it becomes the pool's post-confirmation trigger.
	LambdaBinary string
	LambdaEnv    []string  // the function's own variables (IMAGEAPP_USERS_TABLE, …)
	Log          io.Writer // progress lines; nil is silent
}

// Stack is a set of running emulators.
type Stack struct {
	URLs map[Service]string // base URL of each running service
	Dir  string             // work dir: data and one log per emulator

	procs []*proc
	s3    *http.Server
}

// Start installs (if needed) and starts the emulators, and returns when all
// of them answer. On error, whatever started is stopped again.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	cache, err := DefaultCache(opts.Log)
	if err != nil {
		return nil, err
	}
	want := map[Service]bool{}
	for _, s := range opts.Services {
		want[s] = true
	}
	if want[Lambda] && opts.LambdaBinary == "" {
		return nil, errors.New("awstest: Lambda needs Options.LambdaBinary")
	}
	began := time.Now()
	if err := cache.Install(ctx, opts.Services...); err != nil {
		return nil, err
	}
	// Free ports are picked by binding :0 and letting go, so another process
	// can take one before the emulator binds it (test packages run in
	// parallel): on a failed start, try again on fresh ports.
	var s *Stack
	for attempt := 1; ; attempt++ {
		s, err = startOnce(ctx, cache, opts, want)
		if err == nil {
			break
		}
		if attempt == 3 || ctx.Err() != nil {
			return nil, err
		}
		cache.logf("emulators failed to start (attempt %d), retrying on fresh ports: %v", attempt, err)
	}
	cache.logf("emulators up in %s: %s", time.Since(began).Round(100*time.Millisecond), s.describe())
	return s, nil
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}

func startOnce(ctx context.Context, cache *Cache, opts Options, want map[Service]bool) (*Stack, error) {
	dir, err := os.MkdirTemp("", "imageapp-awstest-")
	if err != nil {
		return nil, err
	}
	s := &Stack{URLs: map[Service]string{}, Dir: dir}
	// Every port stays bound until all are picked, so no two services of
	// this stack get the same one (a port let go is soon handed out again).
	ports := map[Service]int{}
	var held []net.Listener
	for _, svc := range All() {
		if !want[svc] {
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			closeAll(held)
			s.Close()
			return nil, err
		}
		held = append(held, l)
		ports[svc] = l.Addr().(*net.TCPAddr).Port
		s.URLs[svc] = loopbackURL(ports[svc])
	}
	closeAll(held)
	if err := s.start(ctx, cache, opts, ports); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Stack) start(ctx context.Context, cache *Cache, opts Options, ports map[Service]int) error {
	base := s.baseEnv()
	type ready struct {
		p   *proc
		url string
	}
	var waits []ready
	launch := func(svc Service, dir string, env []string, bin string, args ...string) error {
		p, err := startProc(string(svc), dir, s.Dir, env, bin, args...)
		if err != nil {
			return err
		}
		s.procs = append(s.procs, p)
		waits = append(waits, ready{p, s.URLs[svc] + "/"})
		return nil
	}
	for _, svc := range All() {
		port, ok := ports[svc]
		if !ok {
			continue
		}
		var err error
		switch svc {
		case KMS:
			data := filepath.Join(s.Dir, "kms")
			if err = os.MkdirAll(data, 0o700); err == nil {
				err = launch(svc, s.Dir, with(base, "KMS_DATA_PATH="+data, "KMS_REGION="+Region,
					"KMS_SEED_PATH=/none", "PORT="+strconv.Itoa(port)), cache.Entry(KMS))
			}
		case S3:
			err = s.startS3(port)
		case DynamoDB:
			jar := cache.Entry(DynamoDB)
			err = launch(svc, filepath.Dir(jar), base, "java", "-Xmx256m", "-Djava.library.path=./DynamoDBLocal_lib",
				"-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb", "-port", strconv.Itoa(port))
		case SNS:
			conf := filepath.Join(s.Dir, "goaws.yaml")
			err = os.WriteFile(conf, []byte(goawsConfig(port)), 0o644)
			if err == nil {
				err = launch(svc, s.Dir, base, cache.Entry(SNS), "-config", conf)
			}
		case Cognito:
			work := filepath.Join(s.Dir, "cognito")
			if err = writeCognitoConfig(work, s.URLs[Lambda]); err == nil {
				err = launch(svc, work, with(base, "PORT="+strconv.Itoa(port), "HOST=127.0.0.1", "CODE="+Code),
					"node", cache.Entry(Cognito))
			}
		case Lambda:
			err = launch(svc, s.Dir, with(with(s.Env(), opts.LambdaEnv...), "AWS_LAMBDA_FUNCTION_NAME="+LambdaFunction),
				cache.Entry(Lambda), "--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(port),
				"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(mustFreePort()), opts.LambdaBinary)
		}
		if err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(waits))
	for i, w := range waits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = w.p.waitHTTP(ctx, w.url, 2*time.Minute)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// startS3 serves gofakes3 (in memory) in this process.
func (s *Stack) startS3(port int) error {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("awstest: S3 listener: %w", err)
	}
	s.s3 = &http.Server{Handler: gofakes3.New(s3mem.New()).Server(), ReadHeaderTimeout: 10 * time.Second}
	go s.s3.Serve(l)
	return nil
}

func goawsConfig(port int) string {
	return fmt.Sprintf(`Local:
  Host: 127.0.0.1
  Port: %d
  Region: %s
  AccountId: "100010001000"
  LogToFile: false
  QueueAttributeDefaults:
    VisibilityTimeout: 30
    ReceiveMessageWaitTimeSeconds: 0
  Queues: []
  Topics: []
`, port, Region)
}

// writeCognitoConfig writes cognito-local's .cognito/config.json: with a
// Lambda endpoint, the post-confirmation trigger is the function there.
func writeCognitoConfig(work, lambdaURL string) error {
	// cognito-local's pools default to email-as-username; ours have usernames.
	conf := map[string]any{"UserPoolDefaults": map[string]any{"UsernameAttributes": []string{}}}
	if lambdaURL != "" {
		conf["LambdaClient"] = map[string]any{
			"endpoint": lambdaURL, "region": Region,
			"credentials": map[string]string{"accessKeyId": "test", "secretAccessKey": "test"},
		}
		conf["TriggerFunctions"] = map[string]string{"PostConfirmation": LambdaFunction}
	}
	raw, _ := json.MarshalIndent(conf, "", "  ")
	if err := os.MkdirAll(filepath.Join(work, ".cognito"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(work, ".cognito", "config.json"), raw, 0o644)
}

// baseEnv is the environment of an emulator: this process's, minus any AWS
// settings that could point it somewhere real.
func (s *Stack) baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

// Env is what a client process needs to use the stack through the SDK's
// standard settings: region, dummy credentials and AWS_ENDPOINT_URL_<SERVICE>.
func (s *Stack) Env() []string {
	env := append(s.baseEnv(), "AWS_REGION="+Region, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true")
	for _, svc := range All() {
		if url, ok := s.URLs[svc]; ok {
			env = append(env, endpointEnv[svc]+"="+url)
		}
	}
	return env
}

// EnvVars are the AWS variables of Env alone, as name → value.
func (s *Stack) EnvVars() map[string]string {
	vars := map[string]string{"AWS_REGION": Region, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": ""}
	for svc, url := range s.URLs {
		vars[endpointEnv[svc]] = url
	}
	return vars
}

// Setenv points this process's SDK at the stack (for TestMain, before any
// test runs; tests use t.Setenv with EnvVars instead).
func (s *Stack) Setenv() {
	for k, v := range s.EnvVars() {
		if v == "" {
			os.Unsetenv(k)
		} else {
			os.Setenv(k, v)
		}
	}
}

// Logs returns every emulator's output, for a failing test to print.
func (s *Stack) Logs() string {
	var b strings.Builder
	for _, p := range s.procs {
		fmt.Fprintf(&b, "--- %s (%s)\n%s\n", p.name, p.logPath, p.logTail())
	}
	return b.String()
}

// Close stops every emulator and removes the work dir.
func (s *Stack) Close() {
	for _, p := range s.procs {
		p.stop()
	}
	if s.s3 != nil {
		s.s3.Close()
	}
	if s.Dir != "" {
		os.RemoveAll(s.Dir)
	}
}

func (s *Stack) describe() string {
	var parts []string
	for _, svc := range All() {
		if url, ok := s.URLs[svc]; ok {
			parts = append(parts, string(svc)+"="+url)
		}
	}
	return strings.Join(parts, " ")
}

// with returns a new slice: env followed by vars.
func with(env []string, vars ...string) []string { return slices.Concat(env, vars) }

func mustFreePort() int {
	p, err := freePort()
	if err != nil {
		panic(err)
	}
	return p
}

// RunMain is a TestMain body: it starts the emulators, points this process's
// SDK at them (Setenv), runs the tests and stops the emulators. When they
// cannot start, the test binary fails — it never skips.
func RunMain(m *testing.M, opts Options, stack **Stack) int {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	flag.Parse()
	if opts.Log == nil && testing.Verbose() {
		opts.Log = os.Stderr
	}
	s, err := Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the AWS emulators did not start: %v\n", err)
		return 1
	}
	defer s.Close()
	s.Setenv()
	*stack = s
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "emulator logs:\n%s", s.Logs())
	}
	return code
}
