package connector

import (
	"time"

	"github.com/quotekit/quotekit/openapi/model"
)

// NewDateTime returns t as a .NET date that travels in the round-trip form
// (seven fractional digits and an offset).
func NewDateTime(t time.Time) DateTime { return model.NewDateTime(t) }

// ParseDateTime reads any .NET form of a date: 0001-01-01T00:00:00, with or without an
// offset or Z, with up to seven fractional digits. It fails on anything else.
func ParseDateTime(s string) (DateTime, error) { return model.ParseDateTime(s) }
