package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/quotekit/quotekit/connector"
)

// invoker calls a connector's operations the way every transport needs: with a request
// (an empty one when the body is optional and absent), a deadline, panics turned into
// errors, and the operation's rule for a nil result applied.
type invoker struct {
	conn    connector.Connector
	timeout time.Duration
	workers *workers
}

// invoke runs op on req, on one of the invoker's workers. A connector that ignores its
// ctx still cannot hold the request: the answer is a timeout error at the deadline, and
// the late result is dropped. A panic becomes an error, so one bad request cannot take
// the server down. It returns the result, whether the result is nil (to be answered as
// null), and the error.
func (in invoker) invoke(ctx context.Context, op connector.Operation, req any) (res any, null bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()

	type result struct {
		res any
		err error
	}
	done := make(chan result, 1) // buffered: a late connector must not block forever
	in.workers.run(func() {
		var r result
		defer func() {
			if v := recover(); v != nil {
				r.err = fmt.Errorf("%s: connector panicked: %v", op.Name, v)
			}
			done <- r
		}()
		r.res, r.err = op.Call(ctx, in.conn, req)
	})

	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		return nil, false, fmt.Errorf("%s: %w", op.Name, ctx.Err())
	}
	if r.err != nil {
		return nil, false, fmt.Errorf("%s: %w", op.Name, r.err)
	}
	if op.Result == nil || !op.IsNil(r.res) {
		return r.res, false, nil
	}
	if op.Nil == connector.NilRefused {
		return nil, false, fmt.Errorf("%s returned neither a result nor an error", op.Name)
	}
	return nil, true, nil
}

// restOperation is the REST route of op: POST /{op.Name} with the request carrier as the
// JSON body, answered 200 with the result as JSON (null for a nil result, no body for an
// operation without result). Errors go to the one error mapper.
func (in invoker) restOperation(op connector.Operation) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := op.NewRequest()
		if err := c.Bind(req); err != nil && (!errors.Is(err, io.EOF) || !op.OptionalBody) {
			return err // io.EOF: a required body is missing
		}
		res, null, err := in.invoke(c.Request().Context(), op, req)
		switch {
		case err != nil:
			return err
		case op.Result == nil:
			c.Response().WriteHeader(http.StatusOK)
			return nil
		case null:
			return writeNull(c.Response())
		}
		return writeJSON(c.Response(), res)
	}
}

// writeNull writes the JSON null answer: "use the default calculation" for the four
// calculation operations, "nothing" for the others that allow it.
func writeNull(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte("null\n"))
	return err
}

// writeJSON writes a 200 answer with v as JSON the way encoding/json's Encoder writes it
// (HTML-safe escaping and a trailing newline), encoded into a pooled buffer instead of a
// new, repeatedly grown one per response.
func writeJSON(w http.ResponseWriter, v any) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := buf.WriteTo(w)
	return err
}
