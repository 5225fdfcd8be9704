package dbrow

import (
	"errors"
	"testing"
)

// fakeRows is a result set of n rows of one integer each (1, 2, …), standing for a driver's.
type fakeRows struct {
	n, at   int
	scanErr error
	err     error
}

func (f *fakeRows) Next() bool { f.at++; return f.at <= f.n }

func (f *fakeRows) Scan(dest ...any) error {
	if f.scanErr != nil {
		return f.scanErr
	}
	if len(dest) != 1 {
		return errors.New("want one destination")
	}
	*(dest[0].(*int)) = f.at
	return nil
}

func (f *fakeRows) Err() error { return f.err }

type one struct{ v int }

func (o *one) dest() []any         { return []any{&o.v} }
func (o *one) value() (int, error) { return o.v, nil }

func TestCollect(t *testing.T) {
	got, err := collect(&fakeRows{n: 3}, (*one).dest, (*one).value)
	if err != nil || len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("three rows: %v, %v", got, err)
	}
	if got, err := collect(&fakeRows{}, (*one).dest, (*one).value); err != nil || got != nil {
		t.Fatalf("no row: %v, %v; want nil, nil", got, err)
	}
	boom := errors.New("boom")
	if got, err := collect(&fakeRows{n: 2, scanErr: boom}, (*one).dest, (*one).value); !errors.Is(err, boom) || got != nil {
		t.Fatalf("scan error: %v, %v", got, err)
	}
	if got, err := collect(&fakeRows{n: 2, err: boom}, (*one).dest, (*one).value); !errors.Is(err, boom) || got != nil {
		t.Fatalf("result set error: %v, %v", got, err)
	}
	bad := func(*one) (int, error) { return 0, boom }
	if got, err := collect(&fakeRows{n: 1}, (*one).dest, bad); !errors.Is(err, boom) || got != nil {
		t.Fatalf("conversion error: %v, %v", got, err)
	}
}
