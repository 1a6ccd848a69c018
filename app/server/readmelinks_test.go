package server

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestReadmeLinksResolve checks every relative link in every README.md of the
// repository: the file or folder it names exists, and its #anchor, if any,
// is a heading of that file under GitHub's rules for heading IDs.
func TestReadmeLinksResolve(t *testing.T) {
	root := repoRoot(t)
	readmes := findReadmes(t, root)
	if len(readmes) < 5 {
		t.Fatalf("found %d README.md files under %s; the walk is wrong", len(readmes), root)
	}
	for _, readme := range readmes {
		text, err := os.ReadFile(readme)
		must(t, err)
		rel, _ := filepath.Rel(root, readme)
		for _, link := range relativeLinks(string(text)) {
			if problem := checkLink(readme, link); problem != "" {
				t.Errorf("%s: link %q: %s", rel, link, problem)
			}
		}
	}
}

// TestCheckLinkFindsBrokenLinks keeps the checker honest: a missing file, a
// missing anchor and a heading's ID with GitHub's duplicate suffix.
func TestCheckLinkFindsBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	must(t, os.WriteFile(readme, []byte("# Top\n\n## Run `go test` (twice)\n\n## Notes\n\n## Notes\n\n```sh\n# not a heading\n```\n"), 0o600))
	for link, want := range map[string]bool{
		"#top":                  true,
		"#run-go-test-twice":    true,
		"#notes-1":              true,
		"#notes-2":              false,
		"#not-a-heading":        false,
		"README.md#notes":       true,
		"missing.md":            false,
		"./README.md#top":       true,
		"README.md#no-such-one": false,
	} {
		if got := checkLink(readme, link) == ""; got != want {
			t.Errorf("checkLink(%q) ok = %v, want %v", link, got, want)
		}
	}
	links := relativeLinks("[a](x.md) [b](https://example.com) `[c](y.md)`\n```\n[d](z.md)\n```\n[e](#top \"title\")\n")
	if strings.Join(links, " ") != "x.md #top" {
		t.Errorf("relativeLinks = %q, want [x.md #top]", links)
	}
}

func findReadmes(t *testing.T, root string) []string {
	t.Helper()
	var readmes []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "README.md" {
			readmes = append(readmes, path)
		}
		return nil
	})
	must(t, err)
	return readmes
}

var (
	inlineLink = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	codeSpan   = regexp.MustCompile("`[^`]*`")
	hasScheme  = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// relativeLinks returns the targets of the inline links in markdown text
// that point inside the repository, leaving out code blocks and code spans.
func relativeLinks(text string) []string {
	var links []string
	for _, line := range proseLines(text) {
		for _, m := range inlineLink.FindAllStringSubmatch(codeSpan.ReplaceAllString(line, ""), -1) {
			if !hasScheme.MatchString(m[1]) {
				links = append(links, m[1])
			}
		}
	}
	return links
}

// proseLines returns the lines of markdown text outside fenced code blocks.
func proseLines(text string) []string {
	var lines []string
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			lines = append(lines, line)
		}
	}
	return lines
}

// checkLink says what is wrong with a link from the markdown file from, or
// "" when its target exists (and its anchor, in a markdown target).
func checkLink(from, link string) string {
	path, anchor, _ := strings.Cut(link, "#")
	target := from
	if path != "" {
		target = filepath.Join(filepath.Dir(from), filepath.FromSlash(path))
	}
	if _, err := os.Stat(target); err != nil {
		return "no such file or folder"
	}
	if anchor == "" || !strings.HasSuffix(target, ".md") {
		return ""
	}
	text, err := os.ReadFile(target)
	if err != nil {
		return err.Error()
	}
	if !headingIDs(string(text))[anchor] {
		return "no heading with the ID " + anchor + " in " + filepath.Base(target)
	}
	return ""
}

var atxHeading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

// headingIDs returns the IDs GitHub gives the headings of a markdown text:
// the heading's text in lower case, without punctuation, spaces as hyphens,
// and -1, -2… after repeats.
func headingIDs(text string) map[string]bool {
	ids := map[string]bool{}
	seen := map[string]int{}
	for _, line := range proseLines(text) {
		m := atxHeading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		id := slug(inlineLinkText.ReplaceAllString(m[1], "$1"))
		if n := seen[id]; n > 0 {
			seen[id]++
			id += "-" + strconv.Itoa(n)
		} else {
			seen[id] = 1
		}
		ids[id] = true
	}
	return ids
}

var inlineLinkText = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestReadmeTestNamesExist checks the `go test ... -run X` commands the
// READMEs give: each pattern still selects a test of the repository, so a
// renamed test cannot leave a README pointing at nothing.
func TestReadmeTestNamesExist(t *testing.T) {
	root := repoRoot(t)
	tests := testNames(t, root)
	for _, readme := range findReadmes(t, root) {
		text, err := os.ReadFile(readme)
		must(t, err)
		rel, _ := filepath.Rel(root, readme)
		for _, m := range goTestRun.FindAllStringSubmatch(string(text), -1) {
			pattern, err := regexp.Compile(m[1])
			if err != nil {
				t.Errorf("%s: go test -run %q: %v", rel, m[1], err)
				continue
			}
			if !slices.ContainsFunc(tests, pattern.MatchString) {
				t.Errorf("%s: go test -run %q selects no test of the repository", rel, m[1])
			}
		}
	}
}

var (
	goTestRun = regexp.MustCompile("go test[^`]*?-run\\s+'?([^'\\s`]+)")
	testFunc  = regexp.MustCompile(`(?m)^func (Test\w+)\(`)
)

// testNames returns the names of the Go tests under root.
func testNames(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, "_test.go") {
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range testFunc.FindAllStringSubmatch(string(src), -1) {
				names = append(names, m[1])
			}
		}
		return nil
	})
	must(t, err)
	return names
}
