package server

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"imageapp/app/imageapp"
)

// TestBrowserFormRules: with JavaScript on, the sign-up and confirm forms
// refuse a username, a password or a code the server would refuse, in the
// server's words (imageapp.Rules, inlined into static/forms.js), without
// sending the form; once fixed, the form goes through. Screenshot of the
// refusal in .cache/artifacts/browser/rules-*.png.
func TestBrowserFormRules(t *testing.T) {
	r := imageapp.Rules()
	app := startApp(t, t.TempDir())
	b := startBrowser(t, app, "rules")
	tb := b.newTab("carol", false)
	tb.visit("/signup", "#username")

	// refused checks that pressing the button sends nothing and leaves the
	// page as it was (the marked field is still there: no load, no swap),
	// and that the browser says want about sel.
	refused := func(what, button, sel, want string) {
		t.Helper()
		// A submit event that reaches the window is a form on its way;
		// sessionStorage outlives the page it would load.
		tb.do("mark "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).dataset.kept = "yes";
			sessionStorage.removeItem("sent");
			window.addEventListener("submit", () => sessionStorage.setItem("sent", "yes"))`, jsString(sel))))
		tb.do(what, chromedp.Click(chromedp.CSS(button)))
		if tb.eval("was the form sent", `sessionStorage.getItem("sent") === "yes"`) ||
			!tb.eval("is "+sel+" the same field", fmt.Sprintf(`document.querySelector(%s)?.dataset.kept === "yes"`, jsString(sel))) {
			t.Fatalf("%s: the form was sent", what)
		}
		if got := evalAs[string](tb, "read the field's message", fmt.Sprintf(`document.querySelector(%s).validationMessage`, jsString(sel))); got != want {
			t.Errorf("%s: %s says %q, want %q", what, sel, got, want)
		}
	}
	// retype replaces what sel holds with text, typed key by key.
	retype := func(what, sel, text string) {
		t.Helper()
		tb.do(what,
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).value = ""`, jsString(sel))),
			chromedp.SendKeys(chromedp.CSS(sel), text))
	}
	signup := `form[action="/signup"] button[type=submit]`
	tb.do("fill in the sign-up form with a bad username",
		chromedp.SendKeys(chromedp.CSS("#username"), "carol smith"),
		chromedp.SendKeys(chromedp.CSS("#email"), "carol@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "short"),
	)
	refused("sign up as 'carol smith'", signup, "#username", r.Username.Invalid)
	tb.screenshot("signup-refused")
	retype("fix the username", "#username", "carol")
	refused("sign up with a short password", signup, "#password", r.Password.TooShort)
	tb.do("fix the password", chromedp.SendKeys(chromedp.CSS("#password"), " horse battery"))
	tb.submit("sign up", signup, "/verify")

	confirm := `form[action="/verify"] button[type=submit]`
	tb.do("enter a short code", chromedp.SendKeys(chromedp.CSS("#code"), "123"))
	refused("confirm with 3 digits", confirm, "#code", r.Code.Invalid)
	retype("enter the code", "#code", app.codeFor("carol@example.com"))
	tb.submit("confirm", confirm, "/inbox") // the browser that signed up is signed in by its code
	tb.checkConsole()
}
