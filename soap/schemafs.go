package soap

import (
	"io/fs"

	"github.com/quotekit/quotekit/soap/schema"
)

// schemaFS holds the schema files the plans are built from.
var schemaFS fs.FS = schema.FS
