//go:build quotekit_crashtest

package sqlite

import (
	"strings"
	"time"
)

// commitStall is how long a build with the quotekit_crashtest tag holds a committed
// credential change before its caller hears of it.
const commitStall = 100 * time.Millisecond

// stalledWrites are the operations (by the prefix of their op name) that afterCommit
// holds: the credential changes of the admin API. Token issues pass at once.
var stalledWrites = []string{"create secret ", "roll secret ", "revoke secret ", "revoke tokens of "}

// afterCommit holds a committed credential change for commitStall. The crash test
// (cmd/quotekit/crash_test.go) builds its server with this tag so that a SIGKILL often
// finds a change that is committed but not yet answered, the case a client cannot tell
// from a change that never happened. Production builds never contain this file.
func afterCommit(op string) {
	for _, p := range stalledWrites {
		if strings.HasPrefix(op, p) {
			time.Sleep(commitStall)
			return
		}
	}
}
