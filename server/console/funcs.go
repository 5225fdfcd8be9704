package console

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/quotekit/quotekit/connector/check"
)

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
	},
	"latency":     Latency,
	"percent":     func(f float64) string { return fmt.Sprintf("%.1f %%", f*100) },
	"join":        strings.Join,
	"resultClass": func(r check.Result) string { return "result-" + string(r) },
	"upper":       strings.ToUpper,
}
