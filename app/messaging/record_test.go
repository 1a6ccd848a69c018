package messaging_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyUnwrapReachesKeysDecrypt keeps every key unwrap recorded: a new
// path that called Keys.Decrypt itself would decrypt without an entry in
// the owner's decrypt record. Code here reaches it only through unwrap
// (record.go), which needs an owner, a message and an Access.
func TestOnlyUnwrapReachesKeysDecrypt(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		var fn string
		ast.Inspect(f, func(n ast.Node) bool {
			if d, ok := n.(*ast.FuncDecl); ok {
				fn = d.Name.Name
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Decrypt" {
				return true
			}
			if name != "record.go" || fn != "unwrap" {
				t.Errorf("%s: %s calls %s.Decrypt directly; unwrap a key with s.unwrap, which records it first",
					fset.Position(call.Pos()), fn, exprString(sel.X))
			}
			return true
		})
	}
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	}
	return "?"
}
