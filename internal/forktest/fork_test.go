// Package forktest checks that a partner's fork of a sample builds: the fork replaces the
// demo ERP in its sample's openERP and deletes examples/demoerp and the other sample.
package forktest

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// forkBody is what a fork's openERP holds before it implements any operation.
const forkBody = `{
	// forkERP is the fork's connector; it supports no operation yet.
	type forkERP struct{ connector.Unsupported }
	return forkERP{}, func() error { return nil }, nil
}`

// TestForkOfSharedSecretBuilds copies the module's tracked files, deletes the demo ERP
// and the JWT sample, replaces the body of the shared-secret sample's openERP with a
// connector that supports nothing, and runs `go build ./...` and `go vet ./...` (which
// vets the test files too) on the copy.
func TestForkOfSharedSecretBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and vets a copy of the module")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	fork := t.TempDir()
	files := bytes.Split(goCommand(t, root, nil, "git", "ls-files", "-z"), []byte{0})
	for _, f := range files {
		if len(f) == 0 {
			continue
		}
		copyFile(t, filepath.Join(root, string(f)), filepath.Join(fork, string(f)))
	}
	for _, dir := range []string{"examples/demoerp", "examples/jwt"} {
		if err := os.RemoveAll(filepath.Join(fork, dir)); err != nil {
			t.Fatal(err)
		}
	}
	replaceOpenERP(t, filepath.Join(fork, "examples", "sharedsecret", "main.go"))

	// The parent's build settings, so the copy builds from the same caches.
	env := []string{"GOWORK=off"}
	for _, k := range []string{"GOFLAGS", "GOCACHE", "GOMODCACHE"} {
		v := strings.TrimSpace(string(goCommand(t, root, nil, "go", "env", k)))
		env = append(env, k+"="+v)
	}
	goCommand(t, fork, env, "go", "build", "./...")
	goCommand(t, fork, env, "go", "vet", "./...")
}

// goCommand runs name with args in dir, with env added to the environment, for at most
// five minutes, and returns its standard output; it fails t when the command fails.
func goCommand(t *testing.T, dir string, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s in %s: %v\n%s%s", name, strings.Join(args, " "), dir, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// copyFile copies the file from to the path to, creating its directory. A tracked file
// missing from the working tree is skipped.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceOpenERP replaces the body of the function openERP in the Go file at path with
// forkBody and drops the imports nothing uses any more, as a fork's author (or goimports)
// would.
func replaceOpenERP(t *testing.T, path string) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var body *ast.BlockStmt
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "openERP" && fn.Recv == nil {
			body = fn.Body
		}
	}
	if body == nil {
		t.Fatalf("%s has no function openERP to replace", path)
	}
	start, end := fset.Position(body.Lbrace).Offset, fset.Position(body.Rbrace).Offset+1
	src = append(append(append([]byte{}, src[:start]...), forkBody...), src[end:]...)

	// Drop the imports the new source no longer uses.
	if f, err = parser.ParseFile(fset, path, src, parser.ParseComments); err != nil {
		t.Fatalf("after the edit: %v", err)
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	var out []byte
	last := 0
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		if used[name] || name == "_" {
			continue
		}
		from, to := fset.Position(imp.Pos()).Offset, fset.Position(imp.End()).Offset
		out = append(out, src[last:from]...)
		last = to
	}
	out = append(out, src[last:]...)
	formatted, err := format.Source(out)
	if err != nil {
		t.Fatalf("after the edit: %v\n%s", err, out)
	}
	if err := os.WriteFile(path, formatted, 0o644); err != nil {
		t.Fatal(err)
	}
}
