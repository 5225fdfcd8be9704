// Package pgtest runs a throwaway PostgreSQL cluster for tests: Debian's initdb and
// pg_ctl make it in a temporary directory, it listens on a Unix socket in that directory
// only (no TCP port), trusts every local connection, and is stopped and removed when the
// tests end. Each test gets a fresh database of its own on the cluster, so tests stay
// isolated without a cluster each.
//
// A test binary that uses it calls Main from its TestMain, which stops the shared
// cluster after the tests:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without Main, each cluster is stopped at the end of the test that started it.
//
// When initdb or pg_ctl cannot be found the tests are skipped with one line, or fail
// when QUOTEKIT_REQUIRE_POSTGRES=1 is set (as CI sets it). Running as root, the
// cluster's programs run as the postgres user, which Debian's package creates: initdb
// refuses to run as root.
package pgtest

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// SkipMessage is the one line a test skips with when the PostgreSQL programs are missing.
const SkipMessage = "PostgreSQL tests skipped: initdb/pg_ctl not found (apt install postgresql)"

// RequireEnv names the variable that, set to 1, turns the skip into a failure.
const RequireEnv = "QUOTEKIT_REQUIRE_POSTGRES"

// cluster is a running PostgreSQL server of this test binary.
type cluster struct {
	dir    string // the temporary directory: socket, data/ and log
	bin    string // the directory of initdb, pg_ctl and postgres
	cred   *syscall.Credential
	dbs    atomic.Int64
	mu     sync.Mutex // serialises Stop and Restart
	halted bool
}

var (
	mu       sync.Mutex
	shared   *cluster
	mainMode bool // Main runs the tests: the cluster lives until Main stops it
)

// Main runs the tests of m and then stops and removes the shared cluster, if one was
// started, and exits with m's code. Call it from TestMain.
func Main(m *testing.M) {
	mu.Lock()
	mainMode = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	c := shared
	shared = nil
	mu.Unlock()
	if c != nil {
		if err := c.remove(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	os.Exit(code)
}

// Start returns the URL of a new, empty database on the test binary's cluster, starting
// the cluster on first use. The database is dropped when t ends. It skips t (or fails it,
// with QUOTEKIT_REQUIRE_POSTGRES=1) when initdb or pg_ctl is missing, and fails t when the
// cluster cannot be started.
func Start(t testing.TB) string {
	t.Helper()
	c := get(t)
	name := fmt.Sprintf("test_%d", c.dbs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.admin(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c.mu.Lock()
		halted := c.halted
		c.mu.Unlock()
		if halted {
			return // a test that stopped the server and did not restart it
		}
		if err := c.admin(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return c.url(name)
}

// Stop stops the test binary's cluster at once (pg_ctl stop -m immediate), as a crash
// would: every connection to it breaks and new ones are refused until Restart. Tests that
// call it must not run in parallel with other tests of the binary that use the cluster.
func Stop(t testing.TB) {
	t.Helper()
	c := get(t)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ctl("stop", "-m", "immediate"); err != nil {
		t.Fatalf("pgtest: stop: %v", err)
	}
	c.halted = true
}

// Restart starts the cluster Stop stopped again, on the same socket and data directory,
// and returns once it accepts connections. It does nothing when the cluster runs.
func Restart(t testing.TB) {
	t.Helper()
	c := get(t)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.halted {
		return
	}
	if err := c.start(); err != nil {
		t.Fatalf("pgtest: restart: %v", err)
	}
	c.halted = false
}

// get returns the running cluster, starting it when there is none.
func get(t testing.TB) *cluster {
	t.Helper()
	bin := findBin()
	if bin == "" {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal("PostgreSQL tests cannot run: initdb/pg_ctl not found (apt install postgresql), and " + RequireEnv + "=1 requires them")
		}
		t.Skip(SkipMessage)
	}
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		return shared
	}
	c, err := newCluster(bin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	shared = c
	if !mainMode {
		t.Cleanup(func() {
			mu.Lock()
			defer mu.Unlock()
			if shared == c {
				shared = nil
			}
			if err := c.remove(); err != nil {
				t.Errorf("pgtest: %v", err)
			}
		})
	}
	return c
}

// findBin returns the directory holding initdb and pg_ctl: PATH first, then the newest
// /usr/lib/postgresql/<version>/bin; "" when there is none.
func findBin() string {
	if initdb, err := exec.LookPath("initdb"); err == nil {
		if ctl, err := exec.LookPath("pg_ctl"); err == nil {
			if initdb, err = filepath.EvalSymlinks(initdb); err == nil {
				if ctl, err = filepath.EvalSymlinks(ctl); err == nil && filepath.Dir(initdb) == filepath.Dir(ctl) {
					return filepath.Dir(initdb)
				}
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// newCluster makes and starts a cluster in a new temporary directory.
func newCluster(bin string) (*cluster, error) {
	// Not under t.TempDir(): as root, its parent is a 0700 directory of root's that the
	// postgres user could not enter.
	dir, err := os.MkdirTemp(os.TempDir(), "quotekit-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, and there is no postgres user to run the cluster as: %w", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync", "--no-instructions"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// start starts the server and waits until it accepts connections. It listens on no
// TCP address; the socket is in c.dir. fsync is off (the data is thrown away anyway),
// but commits still reach the operating system before they are acknowledged, so a
// Stop, which kills the server and not the machine, loses no acknowledged commit.
func (c *cluster) start() error {
	opts := fmt.Sprintf("-c listen_addresses='' -c unix_socket_directories='%s' -c fsync=off "+
		"-c full_page_writes=off -c max_connections=300", c.dir)
	return c.ctl("start", "-w", "-t", "60", "-l", filepath.Join(c.dir, "log"), "-o", opts)
}

// ctl runs pg_ctl on the cluster's data directory.
func (c *cluster) ctl(args ...string) error {
	return c.run("pg_ctl", append([]string{"-D", c.data()}, args...)...)
}

// run runs a program of the cluster's bin directory, as the postgres user when root.
func (c *cluster) run(prog string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, prog), args...) //nolint:gosec // G204: the PostgreSQL programs found by findBin, with arguments of this package
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("%s %v: %w\n%s\nserver log:\n%s", prog, args, err, out.Bytes(), log)
	}
	return nil
}

// remove stops the server and deletes its directory.
func (c *cluster) remove() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if !c.halted {
		err = c.ctl("stop", "-m", "immediate")
		c.halted = true
	}
	if rerr := os.RemoveAll(c.dir); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// url is the connection URL of database name, over the cluster's socket.
func (c *cluster) url(name string) string {
	q := url.Values{}
	q.Set("host", c.dir)
	q.Set("sslmode", "disable")
	return (&url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/" + name, RawQuery: q.Encode()}).String()
}

// admin runs one statement on the cluster's postgres database.
func (c *cluster) admin(ctx context.Context, stmt string) error {
	conn, err := pgx.Connect(ctx, c.url("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, stmt)
	return err
}
