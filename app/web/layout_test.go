package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The web packages: the core and one package per client.
var webPackages = []string{".", "pages", "api", "live"}

// parseWebPackage parses the non-test files of one of webPackages.
func parseWebPackage(t *testing.T, dir string) []*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return files
}

// TestNoHiddenState: no web package fills state in init() or exports a
// package variable another package could change; defaults are functions or
// constants.
func TestNoHiddenState(t *testing.T) {
	for _, dir := range webPackages {
		for _, f := range parseWebPackage(t, dir) {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil && d.Name.Name == "init" {
						t.Errorf("%s/%s: func init", dir, f.Name.Name)
					}
				case *ast.GenDecl:
					if d.Tok != token.VAR {
						continue
					}
					for _, spec := range d.Specs {
						for _, name := range spec.(*ast.ValueSpec).Names {
							if name.IsExported() {
								t.Errorf("%s: exported package variable %s", dir, name.Name)
							}
						}
					}
				}
			}
		}
	}
}

// TestClientsStandAlone: the core imports no client, and no client imports
// another; app/server wires them together.
func TestClientsStandAlone(t *testing.T) {
	for _, dir := range webPackages {
		for _, f := range parseWebPackage(t, dir) {
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				if err != nil {
					t.Fatal(err)
				}
				for _, client := range webPackages[1:] {
					if path == "imageapp/app/web/"+client && client != dir {
						t.Errorf("package %s imports %s", dir, path)
					}
				}
			}
		}
	}
}

// TestOnlyTestsImportWebtest: the handler tests' fakes (package webtest)
// never reach the server: no file of the app but a test imports them.
func TestOnlyTestsImportWebtest(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if imp.Path.Value == `"imageapp/app/web/webtest"` && !strings.HasPrefix(filepath.ToSlash(path), "web/webtest/") {
				t.Errorf("%s imports webtest", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
