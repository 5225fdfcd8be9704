package soap

import (
	"embed"
	"io/fs"
)

//go:embed testdata/xsd/*.xsd
var devSchema embed.FS

// schemaFS holds the schema files the plans are built from.
var schemaFS = func() fs.FS {
	sub, err := fs.Sub(devSchema, "testdata/xsd")
	if err != nil {
		panic(err)
	}
	return sub
}()
