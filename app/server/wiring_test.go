package server

import (
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestAWSWiringUsesNoLocalAdapter: AWS mode is wired from the AWS adapters
// only; nothing of the embedded backend (its keyring, secrets file or
// outbox) runs in it.
func TestAWSWiringUsesNoLocalAdapter(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "backend_aws.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == "imageapp/app/local" {
			t.Errorf("backend_aws.go imports %s", path)
		}
	}
}
