package imageapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var updateRules = flag.Bool("update-rules", false, "rewrite the clients' copies of the rules and their words")

// The clients' copies: React imports the JSON file (its Docker stage sees
// only react/), static/forms.js holds the same JSON on one line, and
// static/send.js the "upload" part on one line.
var (
	reactRules  = filepath.Join("..", "..", "react", "src", "lib", "rules.json")
	appJS       = filepath.Join("..", "..", "static", "forms.js")
	appJSLine   = regexp.MustCompile(`(?m)^(  var rules = )(.*)(; // generated: .*)$`)
	sendJS      = filepath.Join("..", "..", "static", "send.js")
	sendJSLine  = regexp.MustCompile(`(?m)^(  var uploadWords = )(.*)(; // generated: .*)$`)
	jsCopyLines = []struct {
		path string
		line *regexp.Regexp
		part func(ClientRules) any
	}{
		{appJS, appJSLine, func(r ClientRules) any { return r }},
		{sendJS, sendJSLine, func(r ClientRules) any { return r.Upload }},
	}
)

// TestClientRulesAreImageapps: the rules the clients check before asking
// the server, and the words they show, are the server's, so a refusal
// reads the same with JavaScript on, off and in React.
func TestClientRulesAreImageapps(t *testing.T) {
	rules := Rules()
	pretty := marshalRules(t, rules, "  ")
	const fix = "; if the change is meant, run go test ./app/imageapp -run TestClientRulesAreImageapps -update-rules"
	if *updateRules {
		if err := os.WriteFile(reactRules, pretty, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if got, err := os.ReadFile(reactRules); err != nil || !bytes.Equal(got, pretty) {
		t.Errorf("%s is not what imageapp.Rules says (%v)%s", reactRules, err, fix)
	}
	for _, c := range jsCopyLines {
		line := bytes.TrimSuffix(marshalRules(t, c.part(rules), ""), []byte("\n"))
		js, err := os.ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		m := c.line.FindSubmatch(js)
		if m == nil {
			t.Fatalf("%s has no line %q", c.path, c.line)
		}
		if *updateRules {
			js = c.line.ReplaceAllFunc(js, func(l []byte) []byte {
				s := c.line.FindSubmatch(l)
				return bytes.Join([][]byte{s[1], line, s[3]}, nil)
			})
			if err := os.WriteFile(c.path, js, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !bytes.Equal(m[2], line) {
			t.Errorf("%s's copy of the rules is not what imageapp.Rules says%s", c.path, fix)
		}
	}
}

// marshalRules encodes v as JSON, indented by indent, without escaping < and >.
func marshalRules(t *testing.T, v any, indent string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRulesAreTheChecks: the server refuses with the words the clients
// show, and the numbers in the words are the rules'.
func TestRulesAreTheChecks(t *testing.T) {
	r := Rules()
	for _, c := range []struct {
		err  error
		want string
	}{
		{ValidateUsername("ab"), r.Username.Invalid},
		{ValidateUsername("a b c"), r.Username.Invalid},
		{ValidateUsername(strings.Repeat("a", MaxUsernameLength+1)), r.Username.Invalid},
		{ValidateEmail("nobody"), r.Email.Invalid},
		{ValidatePassword(strings.Repeat("é", MinPasswordLength-1)), r.Password.TooShort},
		{ValidatePassword(strings.Repeat("é", MaxPasswordLength/2+1)), r.Password.TooLong},
	} {
		var e *Error
		if !errors.As(c.err, &e) || e.Code != EINVALID || e.Message != c.want {
			t.Errorf("got %v, want EINVALID %q", c.err, c.want)
		}
	}
	for _, ok := range []error{
		ValidateUsername(strings.Repeat("a", MinUsernameLength)),
		ValidateUsername(strings.Repeat("a", MaxUsernameLength)),
		ValidateUsername("a_b.c-D9"),
		ValidatePassword(strings.Repeat("é", MinPasswordLength)),
	} {
		if ok != nil {
			t.Errorf("refused: %v", ok)
		}
	}

	// The pattern the clients run is the one the server runs, and says
	// the lengths the words say.
	span := "{" + strconv.Itoa(MinUsernameLength) + "," + strconv.Itoa(MaxUsernameLength) + "}"
	if !strings.Contains(r.Username.Pattern, span) || r.Username.Pattern != usernamePattern.String() {
		t.Errorf("username pattern %q, server's %q: want lengths %s", r.Username.Pattern, usernamePattern, span)
	}
	for _, s := range []string{r.Username.Hint, r.Username.Invalid} {
		if !strings.Contains(s, strconv.Itoa(MinUsernameLength)) || !strings.Contains(s, strconv.Itoa(MaxUsernameLength)) {
			t.Errorf("%q does not say the lengths %d to %d", s, MinUsernameLength, MaxUsernameLength)
		}
	}
	for _, s := range []string{r.Password.Hint, r.Password.TooShort} {
		if !strings.Contains(s, strconv.Itoa(MinPasswordLength)) {
			t.Errorf("%q does not say %d", s, MinPasswordLength)
		}
	}
	if !strings.Contains(r.Password.TooLong, strconv.Itoa(MaxPasswordLength)) {
		t.Errorf("%q does not say %d", r.Password.TooLong, MaxPasswordLength)
	}
	code := regexp.MustCompile(r.Code.Pattern)
	if !code.MatchString(strings.Repeat("7", CodeLength)) || code.MatchString(strings.Repeat("7", CodeLength+1)) ||
		!strings.Contains(r.Code.Invalid, strconv.Itoa(CodeLength)) {
		t.Errorf("code rule %q / %q is not %d digits", r.Code.Pattern, r.Code.Invalid, CodeLength)
	}
	email := regexp.MustCompile(r.Email.Pattern)
	if !email.MatchString("name@example.com") || email.MatchString("name example.com") {
		t.Errorf("email pattern %q", r.Email.Pattern)
	}

	// Every word is a sentence a person reads.
	for _, s := range []string{r.Username.Hint, r.Username.Missing, r.Username.Invalid, r.Email.Invalid,
		r.Password.Hint, r.Password.TooShort, r.Password.TooLong, r.Code.Invalid, r.Keep.Hint, r.Keep.Invalid,
		r.Upload.TooLarge, r.Upload.CaptionTooLong} {
		if s == "" || s != strings.TrimSpace(s) || !strings.HasSuffix(s, ".") {
			t.Errorf("%q: want a sentence ending in a period", s)
		}
	}
}

// TestParseKeep: every choice means what its label says, the default is
// a choice, and anything else is refused with the choices named.
func TestParseKeep(t *testing.T) {
	want := map[string]struct {
		d    time.Duration
		once bool
	}{
		"":     {0, false},
		"keep": {0, false},
		"1h":   {time.Hour, false},
		"1d":   {24 * time.Hour, false},
		"7d":   {7 * 24 * time.Hour, false},
		"once": {0, true},
	}
	k := Rules().Keep
	if len(k.Choices) != len(want)-1 {
		t.Errorf("%d choices, want %d", len(k.Choices), len(want)-1)
	}
	for _, c := range k.Choices {
		if _, ok := want[c.Value]; !ok || c.Label == "" {
			t.Errorf("choice %+v is not tested", c)
		}
	}
	for v, w := range want {
		d, once, err := ParseKeep(v)
		if err != nil || d != w.d || once != w.once {
			t.Errorf("ParseKeep(%q) = %v, %v, %v; want %v, %v", v, d, once, err, w.d, w.once)
		}
	}
	for _, bad := range []string{"2h", "KEEP", " once"} {
		_, _, err := ParseKeep(bad)
		if ErrorCode(err) != EINVALID || ErrorMessage(err) != k.Invalid {
			t.Errorf("ParseKeep(%q) = %v, want EINVALID %q", bad, err, k.Invalid)
		}
	}
	if !strings.Contains(k.Invalid, "keep, 1h, 1d, 7d or once") {
		t.Errorf("%q does not name the choices", k.Invalid)
	}
}

// TestRulesAreFresh: a caller that changes its copy cannot change another's.
func TestRulesAreFresh(t *testing.T) {
	a := Rules()
	a.Keep.Choices[0].Label = "changed"
	if Rules().Keep.Choices[0].Label == "changed" {
		t.Fatal("Rules shares its keep choices between calls")
	}
}

// TestFill: the words with a limit say it where "{max}" is, once.
func TestFill(t *testing.T) {
	u := Rules().Upload
	if got, want := Fill(u.CaptionTooLong, 500), "Captions can be at most 500 characters."; got != want {
		t.Errorf("Fill: %q, want %q", got, want)
	}
	if got, want := Fill(u.TooLarge, "8 MiB"), "This image is larger than the 8 MiB limit."; got != want {
		t.Errorf("Fill: %q, want %q", got, want)
	}
	for _, s := range []string{u.TooLarge, u.CaptionTooLong} {
		if strings.Count(s, "{max}") != 1 {
			t.Errorf("%q: want one {max}", s)
		}
	}
}
