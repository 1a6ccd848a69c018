// Command devstack runs ImageApp in AWS mode on this machine, without an AWS
// account: it installs and starts the emulators (cognito-local with the
// real lambda/ trigger under aws-lambda-rie, local-kms, gofakes3, DynamoDB
// Local, goaws), creates the user pool, app client, tables and bucket, and
// serves the app with IMAGEAPP_BACKEND=aws on :3000 until Ctrl-C.
//
//	bash app/awstest/devstack.sh                  # the same as: go run ./app/awstest/cmd/devstack
//	bash app/awstest/devstack.sh -addr :8080
//	bash app/awstest/devstack.sh -emulators-only  # print the environment; run the app yourself
//	bash app/awstest/devstack.sh -instances 3     # a cluster: 3 app processes, redis-server, a load balancer
//
// Everything the emulators hold is in memory and gone when it stops.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"imageapp/app/aws/awsbackend"
	"imageapp/app/awstest"
	"imageapp/app/imageapp"
	"imageapp/app/valkey/valkeytest"
)

const prefix = "imageapp-dev"

func main() {
	addr := flag.String("addr", ":3000", "the app's listen address")
	emulatorsOnly := flag.Bool("emulators-only", false, "start the emulators and print the environment, without the app")
	instances := flag.Int("instances", 1, "app processes; more than one adds redis-server (the shared store) and a round-robin load balancer on -addr")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, *emulatorsOnly, *instances); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, emulatorsOnly bool, instances int) error {
	root, err := awstest.RepoRoot()
	if err != nil {
		return err
	}
	work := filepath.Join(root, ".cache", "devstack")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	say("building the post-confirmation trigger (lambda/)…")
	bootstrap, err := awstest.BuildLambda(ctx, work)
	if err != nil {
		return err
	}
	stack, err := awstest.Start(ctx, awstest.Options{
		Services:     awstest.All(),
		LambdaBinary: bootstrap,
		LambdaEnv: []string{"IMAGEAPP_USERS_TABLE=" + prefix + "-users", "IMAGEAPP_APP_NAME=" + imageapp.DefaultAppName,
			"IMAGEAPP_ROOT_KEY_ID=" + awstest.RootKeyAlias(prefix)},
		Log: os.Stderr,
	})
	if err != nil {
		return err
	}
	defer stack.Close()
	stack.Setenv()
	cfg, err := awsbackend.LoadConfig(ctx)
	if err != nil {
		return err
	}
	res, err := awstest.CreateResources(ctx, awsbackend.NewClients(cfg), stack, prefix)
	if err != nil {
		return err
	}

	env := stack.EnvVars()
	for k, v := range res.Env() {
		env[k] = v
	}
	env["IMAGEAPP_BACKEND"] = "aws"
	env["IMAGEAPP_ALLOW_INSECURE_HTTP"] = "1" // plain HTTP on this machine: a dev stack, not a deployment
	env["IMAGEAPP_ADDR"] = addr
	env["IMAGEAPP_DATA_DIR"] = filepath.Join(work, "data") // unused in AWS mode: nothing lives on disk
	env["IMAGEAPP_BASE_URL"] = "http://" + addr
	if strings.HasPrefix(addr, ":") {
		env["IMAGEAPP_BASE_URL"] = "http://localhost" + addr
	}
	printEnv(env)
	say("confirmation and reset codes are always %s (cognito-local); it cannot resend codes.", awstest.Code)

	if emulatorsOnly {
		say("emulators running; the app is yours to start with the variables above. Ctrl-C stops them.")
		<-ctx.Done()
		return nil
	}
	bin := filepath.Join(work, "imageapp")
	say("building the app…")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./app")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./app: %w", err)
	}
	if instances > 1 {
		return runCluster(ctx, root, bin, env, addr, instances)
	}
	app, err := startApp(root, bin, env)
	if err != nil {
		return err
	}
	say("ImageApp (AWS mode) on %s — sign up, confirm with %s, send an image. Ctrl-C stops everything.", env["IMAGEAPP_BASE_URL"], awstest.Code)
	return waitAndStop(ctx, app)
}

// runCluster serves n app processes behind a round-robin load balancer on
// addr, sharing a redis-server, as a deployment behind an ALB does.
func runCluster(ctx context.Context, root, bin string, env map[string]string, addr string, n int) error {
	store, err := valkeytest.StartProcess()
	if err != nil {
		return err
	}
	defer store.Stop()
	env["IMAGEAPP_VALKEY_URL"] = store.URL
	env["IMAGEAPP_TRUSTED_PROXIES"] = "127.0.0.1/32" // the load balancer below dials from loopback
	var targets []string
	var apps []*exec.Cmd
	defer func() {
		for _, app := range apps {
			app.Process.Signal(syscall.SIGTERM)
		}
		for _, app := range apps {
			app.Wait()
		}
	}()
	for i := range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		instAddr := l.Addr().String()
		l.Close()
		env["IMAGEAPP_ADDR"] = instAddr
		app, err := startApp(root, bin, env)
		if err != nil {
			return err
		}
		apps = append(apps, app)
		targets = append(targets, "http://"+instAddr)
		say("instance %d on %s", i+1, instAddr)
	}
	// As an ALB: health checks, and reads retried on another instance.
	balancer, err := awstest.NewBalancer(targets, nil)
	if err != nil {
		return err
	}
	balancer.Rewrite = func(pr *httputil.ProxyRequest) {
		pr.Out.Header["X-Forwarded-For"] = pr.In.Header["X-Forwarded-For"]
		pr.SetXForwarded()
		pr.Out.Host = pr.In.Host
	}
	balancer.Start()
	defer balancer.Close()
	lb := &http.Server{Addr: addr, Handler: balancer}
	go func() {
		<-ctx.Done()
		lb.Close()
	}()
	say("%d instances of ImageApp (AWS mode) behind %s, sharing %s — sign up, confirm with %s. Ctrl-C stops everything.",
		n, env["IMAGEAPP_BASE_URL"], store.URL, awstest.Code)
	if err := lb.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		return err
	}
	return nil
}

func startApp(root, bin string, env map[string]string) (*exec.Cmd, error) {
	app := exec.Command(bin)
	app.Dir, app.Stdout, app.Stderr = root, os.Stdout, os.Stderr
	app.Env = os.Environ()
	for k, v := range env {
		app.Env = append(app.Env, k+"="+v)
	}
	app.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	return app, app.Start()
}

func waitAndStop(ctx context.Context, app *exec.Cmd) error {
	done := make(chan error, 1)
	go func() { done <- app.Wait() }()
	select {
	case err := <-done:
		return fmt.Errorf("the app stopped: %v", err)
	case <-ctx.Done():
	}
	app.Process.Signal(syscall.SIGTERM) // the app finishes requests in flight
	select {
	case <-done:
	case <-time.After(70 * time.Second):
		app.Process.Kill()
	}
	return nil
}

func printEnv(env map[string]string) {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Println("# AWS mode against the emulators:")
	for _, k := range keys {
		if env[k] != "" {
			fmt.Printf("export %s=%s\n", k, env[k])
		}
	}
}

func say(format string, args ...any) { fmt.Fprintf(os.Stderr, "devstack: "+format+"\n", args...) }
