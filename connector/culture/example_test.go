package culture_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/quotekit/quotekit/connector/culture"
)

func ExampleConfig() {
	// As SuperOffice sends them in a request's ConfigValues.
	c := culture.Config{
		"erp-url":  "https://erp.example.com",
		"erp-port": "[I:8443]",
		"since":    "[DT:07/15/2022 00:00:00.0000000]",
	}
	port, err := c.Int("erp-port")
	fmt.Println(c.String("erp-url"), port, err)
	since, _ := c.Time("since")
	fmt.Println(since)
	_, err = c.Bool("verbose")
	fmt.Println(errors.Is(err, culture.ErrMissingConfig))
	// Output:
	// https://erp.example.com 8443 <nil>
	// 2022-07-15 00:00:00 +0000 UTC
	// true
}

func ExampleEncodeDateTime() {
	fmt.Println(culture.EncodeDateTime(time.Date(2022, 7, 15, 14, 52, 0, 0, time.UTC)))
	fmt.Println(culture.EncodeInt(0), culture.EncodeFloat(453.2))
	// Output:
	// [DT:07/15/2022 14:52:00.0000000]
	// [I:0] [F:453.2]
}
