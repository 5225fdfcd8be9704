//go:build !quotekit_crashtest

package sqlite

// afterCommit runs in write between a committed write and its return to the caller. It
// does nothing: only the crash test's server, built with the quotekit_crashtest tag,
// holds some writes there (commitstall_crashtest.go).
func afterCommit(string) {}
