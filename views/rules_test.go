package views

import (
	"bytes"
	"context"
	"html"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"imageapp/app/imageapp"
)

func render(t *testing.T, c templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	return html.UnescapeString(buf.String())
}

// TestPagesSpeakTheRules: the pages show the hints and the keep-for
// choices of imageapp.Rules, the words the other clients get from it.
func TestPagesSpeakTheRules(t *testing.T) {
	r := imageapp.Rules()
	signup := render(t, SignupPage(Page{}, Form{}))
	for _, w := range []string{r.Username.Hint, r.Password.Hint} {
		if !strings.Contains(signup, w) {
			t.Errorf("the sign-up page does not say %q", w)
		}
	}
	for name, c := range map[string]templ.Component{"reset page": ResetPage(Page{}, Form{}), "password card": PasswordCard("")} {
		if !strings.Contains(render(t, c), r.Password.Hint) {
			t.Errorf("the %s does not say %q", name, r.Password.Hint)
		}
	}
	keep := render(t, keepField(""))
	if !strings.Contains(keep, r.Keep.Hint) {
		t.Errorf("the keep field does not say %q", r.Keep.Hint)
	}
	at := 0
	for _, c := range r.Keep.Choices {
		opt := `<option value="` + c.Value + `"`
		i := strings.Index(keep[at:], opt)
		if i < 0 || !strings.Contains(keep[at+i:], ">"+c.Label+"</option>") {
			t.Fatalf("the keep field has no option %s %q after the previous one:\n%s", c.Value, c.Label, keep)
		}
		at += i + len(opt)
	}
	if !strings.Contains(keep, `<option value="`+r.Keep.Default+`" selected>`) {
		t.Errorf("the keep field does not select %q:\n%s", r.Keep.Default, keep)
	}
}
