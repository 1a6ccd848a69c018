package infra

import (
	"sort"
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

// PolicyStatements renders every statement of every policy document.
func (m *Module) PolicyStatements() []Statement {
	keys := make([]string, 0, len(m.Data))
	for k := range m.Data {
		if strings.HasPrefix(k, "aws_iam_policy_document.") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []Statement
	for _, k := range keys {
		for _, b := range Blocks(m.Data[k].Body, "statement") {
			out = append(out, m.statement(k, b))
		}
	}
	return out
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
