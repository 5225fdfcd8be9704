package connector

import (
	"errors"
	"fmt"
)

// ErrUnsupported marks an operation the connector does not implement. The server answers
// 404, and NetServer stops calling that operation. Never use it for data that is not
// found: an unknown product key is an Invalid error.
var ErrUnsupported = errors.New("operation not supported")

// ErrInvalid marks a request the connector cannot accept. The server answers 400 and shows
// the error's message, so the message must be safe for the user to read.
var ErrInvalid = errors.New("invalid request")

// InvalidError is a request the connector cannot accept; Message is shown to the caller.
// It matches ErrInvalid with errors.Is.
type InvalidError struct {
	Message string
}

func (e *InvalidError) Error() string { return e.Message }

// Is reports whether target is ErrInvalid.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns an InvalidError with a formatted message, e.g.
// connector.Invalid("unknown product key %q", key). Never put secrets in it.
func Invalid(format string, args ...any) error {
	return &InvalidError{Message: fmt.Sprintf(format, args...)}
}

// unsupported is the error of an operation left to Unsupported.
func unsupported(op string) error { return fmt.Errorf("%s: %w", op, ErrUnsupported) }
