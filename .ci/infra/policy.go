package infra

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Statement is one statement of a data "aws_iam_policy_document", rendered.
type Statement struct {
	Doc           string // "aws_iam_policy_document.app"
	Sid           string
	Effect        string // "Allow" when not set
	Actions       []string
	NotActions    []string
	Resources     []string
	NotResources  []string
	Principals    []Principal
	NotPrincipals []Principal
	Conditions    []Condition
	At            string
}

type Principal struct {
	Type        string
	Identifiers []string
}

type Condition struct {
	Test, Variable string
	Values         []string
}

// Where names a statement in messages.
func (s Statement) Where() string {
	id := s.Sid
	if id == "" {
		id = "(no sid)"
	}
	return s.At + ": data." + s.Doc + " statement " + id
}

// Allows reports whether the statement grants (rather than denies).
func (s Statement) Allows() bool { return s.Effect != "Deny" }

// Condition returns the values of the condition on variable with test
// (test "" = any test).
func (s Statement) Condition(test, variable string) ([]string, bool) {
	for _, c := range s.Conditions {
		if c.Variable == variable && (test == "" || c.Test == test) {
			return c.Values, true
		}
	}
	return nil, false
}

// HasAction reports whether the statement lists action exactly.
func (s Statement) HasAction(action string) bool {
	for _, a := range s.Actions {
		if strings.EqualFold(a, action) {
			return true
		}
	}
	return false
}

// PolicyStatements renders every statement of every policy document: of
// each instance of a for_each document (Doc "aws_iam_policy_document.x[\"k\"]").
func (m *Module) PolicyStatements() []Statement {
	var out []Statement
	for _, d := range m.DataInstances("aws_iam_policy_document") {
		for _, b := range Blocks(d.Block.Body, "statement") {
			out = append(out, d.In.statement(d.Name(), b))
		}
	}
	return out
}

// DocStatements are the statements of the document doc
// ("aws_iam_policy_document.x", or an instance's name) and of the documents
// its source_policy_documents name, which the provider merges into it.
func (m *Module) DocStatements(doc string) []Statement {
	all := m.PolicyStatements()
	var out []Statement
	seen := map[string]bool{}
	var add func(doc string)
	add = func(doc string) {
		if seen[doc] {
			return
		}
		seen[doc] = true
		d, ok := m.Instance("data." + doc)
		if !ok {
			return
		}
		for _, src := range Strings(d.In, d.Block, "source_policy_documents") {
			add(DocOf(src))
		}
		for _, s := range all {
			if s.Doc == doc {
				out = append(out, s)
			}
		}
	}
	add(doc)
	return out
}

// DocOf turns "${data.aws_iam_policy_document.x.json}" (a policy attribute,
// rendered) into the document's name, "aws_iam_policy_document.x".
func DocOf(ref string) string {
	return strings.TrimSuffix(strings.TrimPrefix(ref, "${data."), ".json}")
}

func (m *Module) statement(doc string, b *hclsyntax.Block) Statement {
	s := Statement{
		Doc:          doc,
		Sid:          Str(m, b, "sid"),
		Effect:       Str(m, b, "effect"),
		Actions:      Strings(m, b, "actions"),
		NotActions:   Strings(m, b, "not_actions"),
		Resources:    Strings(m, b, "resources"),
		NotResources: Strings(m, b, "not_resources"),
		At:           b.DefRange().String(),
	}
	if s.Effect == "" {
		s.Effect = "Allow"
	}
	for _, p := range Blocks(b.Body, "principals") {
		s.Principals = append(s.Principals, Principal{Type: Str(m, p, "type"), Identifiers: Strings(m, p, "identifiers")})
	}
	for _, p := range Blocks(b.Body, "not_principals") {
		s.NotPrincipals = append(s.NotPrincipals, Principal{Type: Str(m, p, "type"), Identifiers: Strings(m, p, "identifiers")})
	}
	for _, c := range Blocks(b.Body, "condition") {
		s.Conditions = append(s.Conditions, Condition{Test: Str(m, c, "test"), Variable: Str(m, c, "variable"), Values: Strings(m, c, "values")})
	}
	return s
}
