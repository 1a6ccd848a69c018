// Package infra checks the deployment files of ImageApp offline: the
// Terraform configuration (parsed with HCL, references resolved, security
// properties asserted), the compose file, the Dockerfile and the Jenkinsfile.
// Nothing here talks to AWS, a registry or a Docker engine.
package infra

import (
	"fmt"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Module is a parsed Terraform root module: every top-level block by kind,
// plus the raw text of the .tf files and of the templates beside them.
type Module struct {
	Sources   map[string][]byte // file name → contents (.tf and templates)
	Resources map[string]*hclsyntax.Block
	Data      map[string]*hclsyntax.Block // "aws_iam_policy_document.app"
	Variables map[string]*hclsyntax.Block
	Locals    map[string]*hclsyntax.Attribute
	Outputs   map[string]*hclsyntax.Block
	Modules   map[string]*hclsyntax.Block
	Providers []*hclsyntax.Block
	order     []string // resource keys in file order, for stable messages

	each *eachBinding // set on the copy an Instance renders with (In)
}

// LoadDir reads every .tf file, every template (.tftpl, .tpl) and the IAM
// file (IAMFile) in dir.
func LoadDir(dir string) (*Module, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tftpl") || strings.HasSuffix(name, ".tpl") || name == IAMFile) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		files[name] = b
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .tf files in %s", dir)
	}
	return Load(files)
}

// Load parses the .tf files among files (name → contents); other files are
// kept as templates.
func Load(files map[string][]byte) (*Module, error) {
	m := &Module{
		Sources:   files,
		Resources: map[string]*hclsyntax.Block{},
		Data:      map[string]*hclsyntax.Block{},
		Variables: map[string]*hclsyntax.Block{},
		Locals:    map[string]*hclsyntax.Attribute{},
		Outputs:   map[string]*hclsyntax.Block{},
		Modules:   map[string]*hclsyntax.Block{},
	}
	parser := hclparse.NewParser()
	names := make([]string, 0, len(files))
	for name := range files {
		if strings.HasSuffix(name, ".tf") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var problems []string
	for _, name := range names {
		f, diags := parser.ParseHCL(files[name], name)
		if diags.HasErrors() {
			return nil, fmt.Errorf("parse %s: %s", name, diags.Error())
		}
		body := f.Body.(*hclsyntax.Body)
		for _, b := range body.Blocks {
			if err := m.add(b); err != nil {
				problems = append(problems, err.Error())
			}
		}
		if len(body.Attributes) > 0 {
			problems = append(problems, fmt.Sprintf("%s: top-level attributes are not Terraform", name))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return m, nil
}

func (m *Module) add(b *hclsyntax.Block) error {
	at := b.DefRange().String()
	put := func(into map[string]*hclsyntax.Block, key string) error {
		if _, dup := into[key]; dup {
			return fmt.Errorf("%s: %s %s is declared twice", at, b.Type, key)
		}
		into[key] = b
		return nil
	}
	switch b.Type {
	case "resource":
		if len(b.Labels) != 2 {
			return fmt.Errorf("%s: resource needs a type and a name", at)
		}
		key := b.Labels[0] + "." + b.Labels[1]
		m.order = append(m.order, key)
		return put(m.Resources, key)
	case "data":
		if len(b.Labels) != 2 {
			return fmt.Errorf("%s: data needs a type and a name", at)
		}
		return put(m.Data, b.Labels[0]+"."+b.Labels[1])
	case "variable":
		return put(m.Variables, b.Labels[0])
	case "output":
		return put(m.Outputs, b.Labels[0])
	case "module":
		return put(m.Modules, b.Labels[0])
	case "locals":
		for name, a := range b.Body.Attributes {
			if _, dup := m.Locals[name]; dup {
				return fmt.Errorf("%s: local.%s is declared twice", at, name)
			}
			m.Locals[name] = a
		}
	case "provider":
		m.Providers = append(m.Providers, b)
	case "terraform", "moved", "import", "removed", "check":
	default:
		return fmt.Errorf("%s: unknown top-level block %q", at, b.Type)
	}
	return nil
}

// ResourcesOf returns the resources of one type in file order.
func (m *Module) ResourcesOf(typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, key := range m.order {
		if strings.HasPrefix(key, typ+".") {
			out = append(out, m.Resources[key])
		}
	}
	return out
}

// ---- for_each ---------------------------------------------------------------

// eachBinding is what each.key and each.value are while one instance of a
// for_each block renders.
type eachBinding struct {
	key   string
	value any // a map's item, the key (a set), or "${type.name[\"key\"]}" (for_each over a resource)
}

// Instance is one instance of a resource or data block. A block with
// for_each over keys the configuration spells out (a set or map literal, a
// local that is one, or another such resource) has one per key, each
// rendered (In) with each.key and each.value bound; any other block is one
// instance with Key "", rendered as it is (so each.* in it stays symbolic,
// and a check on it fails rather than passes).
type Instance struct {
	Block *hclsyntax.Block
	Key   string
	In    *Module
}

// Name is "type.name", or "type.name[\"key\"]" for an instance of a for_each
// block: the way the configuration refers to it.
func (i Instance) Name() string {
	if i.Key == "" {
		return Name(i.Block)
	}
	return fmt.Sprintf("%s[%q]", Name(i.Block), i.Key)
}

// Instances returns the instances of the resources of one type, in file order.
func (m *Module) Instances(typ string) []Instance {
	var out []Instance
	for _, b := range m.ResourcesOf(typ) {
		out = append(out, m.instancesOf(b, 0)...)
	}
	return out
}

// DataInstances returns the instances of the data blocks of one type, by name.
func (m *Module) DataInstances(typ string) []Instance {
	keys := make([]string, 0, len(m.Data))
	for k := range m.Data {
		if strings.HasPrefix(k, typ+".") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []Instance
	for _, k := range keys {
		out = append(out, m.instancesOf(m.Data[k], 0)...)
	}
	return out
}

// Instance finds the instance a reference names: "type.name" or
// "type.name[\"key\"]" of a resource, or the same with "data." first.
func (m *Module) Instance(ref string) (Instance, bool) {
	blocks := m.Resources
	if rest, ok := strings.CutPrefix(ref, "data."); ok {
		ref, blocks = rest, m.Data
	}
	name, key, indexed := strings.Cut(ref, "[")
	b, ok := blocks[name]
	if !ok {
		return Instance{}, false
	}
	for _, i := range m.instancesOf(b, 0) {
		if !indexed && i.Key == "" || indexed && i.Name() == name+"["+key {
			return i, true
		}
	}
	return Instance{}, false
}

func (m *Module) instancesOf(b *hclsyntax.Block, depth int) []Instance {
	whole := []Instance{{Block: b, In: m}}
	fe, ok := b.Body.Attributes["for_each"]
	if !ok || depth > 5 {
		return whole
	}
	bind := func(key string, value any) Instance {
		in := *m
		in.each = &eachBinding{key: key, value: value}
		return Instance{Block: b, Key: key, In: &in}
	}
	var out []Instance
	expr := fe.Expr
	if call, ok := expr.(*hclsyntax.FunctionCallExpr); ok && call.Name == "toset" && len(call.Args) == 1 {
		expr = call.Args[0]
	}
	// for_each over another resource: its keys, each.value the instance.
	if t, ok := expr.(*hclsyntax.ScopeTraversalExpr); ok && len(t.Traversal) == 2 {
		if other, ok := m.Resources[traversalString(t.Traversal)]; ok {
			for _, i := range m.instancesOf(other, depth+1) {
				if i.Key == "" {
					return whole
				}
				out = append(out, bind(i.Key, "${"+i.Name()+"}"))
			}
			return out
		}
	}
	switch v := render(m, expr, 0).(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = append(out, bind(k, v[k]))
		}
	case []any:
		for _, item := range v {
			k, ok := item.(string)
			if !ok || strings.Contains(k, "${") {
				return whole
			}
			out = append(out, bind(k, k))
		}
	default:
		return whole
	}
	return out
}

// Name is "type.name" of a resource or data block.
func Name(b *hclsyntax.Block) string { return strings.Join(b.Labels, ".") }

// Source is the text of a range in its file.
func (m *Module) Source(r hcl.Range) string {
	src := m.Sources[r.Filename]
	if r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return string(src[r.Start.Byte:r.End.Byte])
}

// ---- References ---------------------------------------------------------

// UnresolvedReferences lists every reference that names nothing declared:
// var.x, local.x, data.t.n, module.x and resource references t.n, in every
// expression of every block (count/each only where the block has them),
// plus template variables of templatefile() calls that the call does not
// pass, and passed ones the template never uses.
func (m *Module) UnresolvedReferences() []string {
	var problems []string
	report := func(r hcl.Range, format string, args ...any) {
		problems = append(problems, r.String()+": "+fmt.Sprintf(format, args...))
	}
	var walk func(body *hclsyntax.Body, scope map[string]bool)
	walk = func(body *hclsyntax.Body, scope map[string]bool) {
		for name, a := range body.Attributes {
			if name == "ignore_changes" || (name == "type" && scope["\x00variable"]) {
				continue // attribute names and type constraints, not references
			}
			for _, t := range a.Expr.Variables() {
				if msg := m.resolve(t, scope); msg != "" {
					report(t.SourceRange(), "%s", msg)
				}
			}
			problems = append(problems, m.checkTemplateCalls(a.Expr)...)
		}
		for _, b := range body.Blocks {
			inner := scope
			if b.Type == "dynamic" && len(b.Labels) == 1 {
				inner = copyScope(scope)
				inner[b.Labels[0]] = true
				if it, ok := b.Body.Attributes["iterator"]; ok {
					inner[m.Source(it.Expr.Range())] = true
				}
			}
			walk(b.Body, inner)
		}
	}
	for _, b := range m.allBlocks() {
		scope := map[string]bool{}
		if _, ok := b.Body.Attributes["count"]; ok {
			scope["count"] = true
		}
		if _, ok := b.Body.Attributes["for_each"]; ok {
			scope["each"] = true
		}
		if b.Type == "variable" {
			scope["\x00variable"] = true
		}
		walk(b.Body, scope)
	}
	for name, a := range m.Locals {
		for _, t := range a.Expr.Variables() {
			if msg := m.resolve(t, nil); msg != "" {
				report(t.SourceRange(), "local.%s: %s", name, msg)
			}
		}
		problems = append(problems, m.checkTemplateCalls(a.Expr)...)
	}
	sort.Strings(problems)
	return problems
}

// UnusedDeclarations lists variables and locals nothing refers to.
func (m *Module) UnusedDeclarations() []string {
	used := map[string]bool{}
	var walk func(body *hclsyntax.Body)
	note := func(e hclsyntax.Expression) {
		for _, t := range e.Variables() {
			if len(t) >= 2 {
				if attr, ok := t[1].(hcl.TraverseAttr); ok {
					used[t.RootName()+"."+attr.Name] = true
				}
			}
		}
	}
	walk = func(body *hclsyntax.Body) {
		for _, a := range body.Attributes {
			note(a.Expr)
		}
		for _, b := range body.Blocks {
			walk(b.Body)
		}
	}
	for _, b := range m.allBlocks() {
		if b.Type == "variable" {
			continue // a variable's own validation refers to itself
		}
		walk(b.Body)
	}
	for _, a := range m.Locals {
		note(a.Expr)
	}
	var problems []string
	for name := range m.Variables {
		if !used["var."+name] {
			problems = append(problems, "variable "+name+" is never used")
		}
	}
	for name := range m.Locals {
		if !used["local."+name] {
			problems = append(problems, "local."+name+" is never used")
		}
	}
	sort.Strings(problems)
	return problems
}

func copyScope(s map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k, v := range s {
		out[k] = v
	}
	return out
}

func (m *Module) allBlocks() []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, key := range m.order {
		out = append(out, m.Resources[key])
	}
	for _, group := range []map[string]*hclsyntax.Block{m.Data, m.Variables, m.Outputs, m.Modules} {
		keys := make([]string, 0, len(group))
		for k := range group {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, group[k])
		}
	}
	return append(out, m.Providers...)
}

// resolve returns "" when t names something declared, else why not.
func (m *Module) resolve(t hcl.Traversal, scope map[string]bool) string {
	root := t.RootName()
	attr := func(i int) string {
		if len(t) > i {
			if a, ok := t[i].(hcl.TraverseAttr); ok {
				return a.Name
			}
		}
		return ""
	}
	switch root {
	case "var":
		if _, ok := m.Variables[attr(1)]; !ok {
			return fmt.Sprintf("var.%s is not declared", attr(1))
		}
	case "local":
		if _, ok := m.Locals[attr(1)]; !ok {
			return fmt.Sprintf("local.%s is not declared", attr(1))
		}
	case "data":
		if _, ok := m.Data[attr(1)+"."+attr(2)]; !ok {
			return fmt.Sprintf("data.%s.%s is not declared", attr(1), attr(2))
		}
	case "module":
		if _, ok := m.Modules[attr(1)]; !ok {
			return fmt.Sprintf("module.%s is not declared", attr(1))
		}
	case "path", "terraform":
	case "count", "each", "self":
		if !scope[root] {
			return root + " is used where the block has no " + map[string]string{"count": "count", "each": "for_each", "self": "self"}[root]
		}
	default:
		if scope[root] {
			return ""
		}
		if !strings.Contains(root, "_") {
			return fmt.Sprintf("%q is not a reference Terraform knows", root)
		}
		if _, ok := m.Resources[root+"."+attr(1)]; !ok {
			return fmt.Sprintf("resource %s.%s is not declared", root, attr(1))
		}
	}
	return ""
}

// checkTemplateCalls checks templatefile(path, vars) calls in e against the
// template file: it must exist beside the .tf files, use only passed
// variables, and use every one passed.
func (m *Module) checkTemplateCalls(e hclsyntax.Expression) []string {
	var problems []string
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "templatefile" || len(call.Args) != 2 {
			return nil
		}
		at := call.Range().String()
		file := templateFileName(m.Source(call.Args[0].Range()))
		src, ok := m.Sources[file]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: templatefile names %q, which is not beside the .tf files", at, file))
			return nil
		}
		passed := map[string]bool{}
		if obj, ok := call.Args[1].(*hclsyntax.ObjectConsExpr); ok {
			for _, item := range obj.Items {
				passed[keyName(m, item.KeyExpr)] = false
			}
		}
		tmpl, diags := hclsyntax.ParseTemplate(src, file, hcl.InitialPos)
		if diags.HasErrors() {
			problems = append(problems, fmt.Sprintf("%s: template %s: %s", at, file, diags.Error()))
			return nil
		}
		for _, t := range tmpl.Variables() {
			if _, ok := passed[t.RootName()]; !ok {
				problems = append(problems, fmt.Sprintf("%s: template uses ${%s}, which templatefile does not pass", t.SourceRange(), t.RootName()))
				continue
			}
			passed[t.RootName()] = true
		}
		for name, usedIt := range passed {
			if !usedIt {
				problems = append(problems, fmt.Sprintf("%s: %s is passed to %s but never used there", at, name, file))
			}
		}
		return nil
	})
	return problems
}

// templateFileName turns "${path.module}/x.tftpl" into "x.tftpl".
func templateFileName(arg string) string {
	arg = strings.Trim(arg, `"`)
	arg = strings.TrimPrefix(arg, "${path.module}/")
	return filepath.Base(arg)
}

func keyName(m *Module, k hclsyntax.Expression) string {
	if w, ok := k.(*hclsyntax.ObjectConsKeyExpr); ok {
		k = w.Wrapped
	}
	if name := hcl.ExprAsKeyword(k); name != "" {
		return name
	}
	if s, ok := Render(m, k).(string); ok {
		return s
	}
	return m.Source(k.Range())
}

// ---- Values ---------------------------------------------------------------

// Render evaluates e symbolically, enough to check configuration: literals
// become Go values (string, bool, float64, []any, map[string]any), locals
// are followed (and indexed into), each.key and each.value are an
// Instance's (In), == and != between known strings and a condition that
// is known are decided, and every other reference stays as its source text
// in ${...} (so "${aws_s3_bucket.blobs.arn}/messages/*" renders as itself,
// var.app_name as "${var.app_name}", and each.value.arn with for_each over
// aws_s3_bucket.logs as "${aws_s3_bucket.logs[\"lb\"].arn}"). Function calls
// and the like render as their ${source}.
func Render(m *Module, e hclsyntax.Expression) any {
	return render(m, e, 0)
}

func render(m *Module, e hclsyntax.Expression, depth int) any {
	if depth > 20 {
		return "${" + m.Source(e.Range()) + "}"
	}
	switch x := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return ctyToGo(x.Val)
	case *hclsyntax.TemplateWrapExpr:
		return render(m, x.Wrapped, depth+1)
	case *hclsyntax.TemplateExpr:
		var b strings.Builder
		for _, part := range x.Parts {
			switch v := render(m, part, depth+1).(type) {
			case string:
				b.WriteString(v)
			default:
				b.WriteString("${" + m.Source(part.Range()) + "}")
			}
		}
		return b.String()
	case *hclsyntax.ScopeTraversalExpr:
		symbolic := "${" + m.Source(x.Range()) + "}"
		t := x.Traversal
		if t.RootName() == "local" && len(t) >= 2 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				if l, ok := m.Locals[a.Name]; ok {
					return index(render(m, l.Expr, depth+1), t[2:], symbolic)
				}
			}
		}
		if t.RootName() == "each" && m.each != nil && len(t) >= 2 {
			switch a, _ := t[1].(hcl.TraverseAttr); a.Name {
			case "key":
				return index(m.each.key, t[2:], symbolic)
			case "value":
				return index(m.each.value, t[2:], symbolic)
			}
		}
		return symbolic
	case *hclsyntax.RelativeTraversalExpr:
		return index(render(m, x.Source, depth+1), x.Traversal, "${"+m.Source(x.Range())+"}")
	case *hclsyntax.IndexExpr:
		key, ok := render(m, x.Key, depth+1).(string)
		if !ok || strings.Contains(key, "${") {
			return "${" + m.Source(x.Range()) + "}"
		}
		return index(render(m, x.Collection, depth+1), hcl.Traversal{hcl.TraverseIndex{Key: cty.StringVal(key)}}, "${"+m.Source(x.Range())+"}")
	case *hclsyntax.ConditionalExpr:
		if c, ok := render(m, x.Condition, depth+1).(bool); ok {
			if c {
				return render(m, x.TrueResult, depth+1)
			}
			return render(m, x.FalseResult, depth+1)
		}
		return "${" + m.Source(x.Range()) + "}"
	case *hclsyntax.BinaryOpExpr:
		if x.Op == hclsyntax.OpEqual || x.Op == hclsyntax.OpNotEqual {
			l, r := render(m, x.LHS, depth+1), render(m, x.RHS, depth+1)
			ls, lok := l.(string)
			rs, rok := r.(string)
			if lok && rok && !strings.Contains(ls, "${") && !strings.Contains(rs, "${") {
				return (ls == rs) == (x.Op == hclsyntax.OpEqual)
			}
		}
		return "${" + m.Source(x.Range()) + "}"
	case *hclsyntax.TupleConsExpr:
		out := make([]any, 0, len(x.Exprs))
		for _, item := range x.Exprs {
			out = append(out, render(m, item, depth+1))
		}
		return out
	case *hclsyntax.ObjectConsExpr:
		out := map[string]any{}
		for _, item := range x.Items {
			out[keyName(m, item.KeyExpr)] = render(m, item.ValueExpr, depth+1)
		}
		return out
	default:
		return "${" + m.Source(e.Range()) + "}"
	}
}

func ctyToGo(v cty.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		return v.True()
	case cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f
	}
	return v.GoString()
}

// index follows steps (.attr, ["key"], [n]) from a rendered value: into
// maps and lists, and onto a reference that stays symbolic
// ("${aws_s3_bucket.logs}" + ["lb"] → "${aws_s3_bucket.logs[\"lb\"]}").
// Anything else is unknown: it renders as symbolic, the source text.
func index(v any, steps hcl.Traversal, symbolic string) any {
	for _, step := range steps {
		var key cty.Value
		switch s := step.(type) {
		case hcl.TraverseAttr:
			key = cty.StringVal(s.Name)
		case hcl.TraverseIndex:
			key = s.Key
		default:
			return symbolic
		}
		switch x := v.(type) {
		case map[string]any:
			if key.Type() != cty.String {
				return symbolic
			}
			item, ok := x[key.AsString()]
			if !ok {
				return symbolic
			}
			v = item
		case []any:
			if key.Type() != cty.Number {
				return symbolic
			}
			n, exact := key.AsBigFloat().Int64()
			if exact != big.Exact || n < 0 || n >= int64(len(x)) {
				return symbolic
			}
			v = x[n]
		case string:
			if !strings.HasPrefix(x, "${") || !strings.HasSuffix(x, "}") || strings.Count(x, "${") != 1 {
				return symbolic
			}
			ref := strings.TrimSuffix(x, "}")
			if _, ok := step.(hcl.TraverseAttr); ok {
				v = ref + "." + key.AsString() + "}"
			} else if key.Type() == cty.String {
				v = fmt.Sprintf("%s[%q]}", ref, key.AsString())
			} else {
				return symbolic
			}
		default:
			return symbolic
		}
	}
	return v
}

// Attr renders the attribute at path in b: "a", or "block.a" through
// nested blocks (the first block of that type). ok is false when absent.
func Attr(m *Module, b *hclsyntax.Block, path string) (any, bool) {
	parts := strings.Split(path, ".")
	body := b.Body
	for _, p := range parts[:len(parts)-1] {
		next := Blocks(body, p)
		if len(next) == 0 {
			return nil, false
		}
		body = next[0].Body
	}
	a, ok := body.Attributes[parts[len(parts)-1]]
	if !ok {
		return nil, false
	}
	return Render(m, a.Expr), true
}

// Str is Attr as a string ("" when absent or not a string).
func Str(m *Module, b *hclsyntax.Block, path string) string {
	v, _ := Attr(m, b, path)
	s, _ := v.(string)
	return s
}

// Strings is Attr as a list of strings (non-strings as their ${source}).
func Strings(m *Module, b *hclsyntax.Block, path string) []string {
	v, _ := Attr(m, b, path)
	return asStrings(v)
}

func asStrings(v any) []string {
	list, ok := v.([]any)
	if !ok {
		if s, ok := v.(string); ok {
			return []string{s}
		}
		return nil
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		if s, ok := item.(string); ok {
			out = append(out, s)
		} else {
			out = append(out, fmt.Sprint(item))
		}
	}
	return out
}

// Blocks returns the nested blocks of one type.
func Blocks(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == typ {
			out = append(out, b)
		}
	}
	return out
}

// References lists the references in an attribute's expression, following
// locals transitively ("aws_x.y.attr", "var.z", ...).
func (m *Module) References(e hclsyntax.Expression) []string {
	seen := map[string]bool{}
	var out []string
	var visit func(e hclsyntax.Expression, depth int)
	visit = func(e hclsyntax.Expression, depth int) {
		for _, t := range e.Variables() {
			text := traversalString(t)
			if seen[text] {
				continue
			}
			seen[text] = true
			out = append(out, text)
			if t.RootName() == "local" && depth < 20 {
				if a, ok := t[1].(hcl.TraverseAttr); ok {
					if l, ok := m.Locals[a.Name]; ok {
						visit(l.Expr, depth+1)
					}
				}
			}
		}
	}
	visit(e, 0)
	return out
}

// LocalSources is the source text of every local e refers to, transitively.
func (m *Module) LocalSources(e hclsyntax.Expression) []string {
	var out []string
	for _, ref := range m.References(e) {
		if name, ok := strings.CutPrefix(ref, "local."); ok {
			name, _, _ = strings.Cut(name, ".")
			if l, ok := m.Locals[name]; ok {
				out = append(out, m.Source(l.Expr.Range()))
			}
		}
	}
	return out
}

func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for i, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			b.WriteString("[" + s.Key.GoString() + "]")
		default:
			if i > 0 {
				b.WriteString("[*]")
			}
		}
	}
	return b.String()
}

// RenderTemplateCall renders the templatefile(path, {...}) call in e with
// every variable's value from value(name), as Terraform would (strings).
func RenderTemplateCall(m *Module, e hclsyntax.Expression, value func(name string) string) (string, error) {
	var out string
	var err error
	found := false
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "templatefile" || len(call.Args) != 2 || found {
			return nil
		}
		found = true
		file := templateFileName(m.Source(call.Args[0].Range()))
		tmpl, diags := hclsyntax.ParseTemplate(m.Sources[file], file, hcl.InitialPos)
		if diags.HasErrors() {
			err = diags
			return nil
		}
		vars := map[string]cty.Value{}
		if obj, ok := call.Args[1].(*hclsyntax.ObjectConsExpr); ok {
			for _, item := range obj.Items {
				name := keyName(m, item.KeyExpr)
				vars[name] = cty.StringVal(value(name))
			}
		}
		v, diags := tmpl.Value(&hcl.EvalContext{Variables: vars})
		if diags.HasErrors() {
			err = diags
			return nil
		}
		out = v.AsString()
		return nil
	})
	if !found && err == nil {
		err = fmt.Errorf("no templatefile() call")
	}
	return out, err
}
