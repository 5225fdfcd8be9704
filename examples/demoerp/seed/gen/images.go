package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// The pictures are simple icons drawn here, one per kind of product, in at most four
// colours: a 48×48 picture for the quote line dialog and a 16×16 thumbnail for the
// product search. Drawing them keeps the seed free of anybody else's artwork.
const (
	pictureSize = 48
	thumbScale  = 3 // the thumbnail takes every third pixel
)

// Palette indexes: every icon uses white, a dark outline colour and one or two own colours.
const (
	white uint8 = iota
	dark
	primary
	accent
)

type icon struct {
	name   string
	colors [2]color.RGBA // primary and accent
	draw   func(c *canvas)
}

var icons = []icon{
	{"pump", [2]color.RGBA{{0x1f, 0x5f, 0xbf, 0xff}, {0x9f, 0xc5, 0xf0, 0xff}}, func(c *canvas) {
		c.rect(20, 4, 30, 14, primary)
		c.disc(24, 26, 15, primary)
		c.disc(24, 26, 7, accent)
		c.disc(24, 26, 3, dark)
		c.rect(6, 41, 42, 45, dark)
	}},
	{"compressor", [2]color.RGBA{{0xc6, 0x28, 0x28, 0xff}, {0xff, 0xcd, 0xd2, 0xff}}, func(c *canvas) {
		c.rect(14, 8, 30, 20, dark)
		c.rect(10, 20, 38, 38, primary)
		c.disc(10, 29, 9, primary)
		c.disc(38, 29, 9, primary)
		c.disc(24, 29, 4, accent)
		c.rect(10, 38, 14, 44, dark)
		c.rect(34, 38, 38, 44, dark)
	}},
	{"drill", [2]color.RGBA{{0xef, 0x6c, 0x00, 0xff}, {0xff, 0xe0, 0xb2, 0xff}}, func(c *canvas) {
		c.rect(6, 10, 34, 22, primary)
		c.rect(34, 14, 44, 18, dark)
		c.rect(16, 22, 25, 38, primary)
		c.rect(12, 37, 30, 44, dark)
		c.rect(10, 13, 14, 19, accent)
	}},
	{"spanner", [2]color.RGBA{{0x75, 0x75, 0x75, 0xff}, {0xe0, 0xe0, 0xe0, 0xff}}, func(c *canvas) {
		c.line(12, 36, 36, 12, 4, primary)
		c.disc(11, 37, 8, primary)
		c.disc(11, 37, 4, white)
		c.disc(37, 11, 8, primary)
		c.rect(35, 0, 48, 9, white)
		c.line(14, 34, 34, 14, 1, accent)
	}},
	{"bolt", [2]color.RGBA{{0x90, 0xa4, 0xae, 0xff}, {0xcf, 0xd8, 0xdc, 0xff}}, func(c *canvas) {
		c.rect(12, 4, 36, 15, primary)
		c.rect(14, 6, 34, 9, accent)
		c.rect(19, 15, 29, 45, primary)
		for y := 18.0; y < 44; y += 4 {
			c.rect(19, y, 29, y+1, dark)
		}
	}},
	{"helmet", [2]color.RGBA{{0xfb, 0xc0, 0x2d, 0xff}, {0xff, 0xf5, 0x9d, 0xff}}, func(c *canvas) {
		c.disc(24, 30, 17, primary)
		c.rect(0, 30, 48, 48, white)
		c.rect(4, 28, 44, 33, primary)
		c.rect(22, 13, 26, 28, accent)
		c.rect(4, 33, 44, 35, dark)
	}},
	{"hose", [2]color.RGBA{{0x2e, 0x7d, 0x32, 0xff}, {0xa5, 0xd6, 0xa7, 0xff}}, func(c *canvas) {
		c.disc(22, 24, 17, primary)
		c.disc(22, 24, 11, white)
		c.disc(22, 24, 5, accent)
		c.rect(34, 30, 46, 37, dark)
	}},
	{"can", [2]color.RGBA{{0xaf, 0x8f, 0x00, 0xff}, {0xff, 0xf8, 0xe1, 0xff}}, func(c *canvas) {
		c.rect(16, 4, 24, 12, dark)
		c.rect(12, 12, 36, 45, primary)
		c.rect(15, 22, 33, 34, accent)
	}},
	{"cup", [2]color.RGBA{{0x6d, 0x4c, 0x41, 0xff}, {0xd7, 0xcc, 0xc8, 0xff}}, func(c *canvas) {
		c.disc(33, 27, 8, primary)
		c.disc(33, 27, 4, white)
		c.rect(8, 14, 32, 40, primary)
		c.rect(10, 16, 30, 19, accent)
		c.rect(4, 40, 38, 43, dark)
	}},
	{"book", [2]color.RGBA{{0x28, 0x35, 0x93, 0xff}, {0xc5, 0xca, 0xe9, 0xff}}, func(c *canvas) {
		c.rect(10, 5, 38, 43, primary)
		c.rect(10, 5, 14, 43, dark)
		c.rect(18, 12, 34, 18, accent)
		c.rect(14, 39, 38, 43, white)
	}},
}

func writeImages(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, ic := range icons {
		pal := color.Palette{color.White, color.RGBA{0x26, 0x32, 0x38, 0xff}, ic.colors[0], ic.colors[1]}
		c := &canvas{image.NewPaletted(image.Rect(0, 0, pictureSize, pictureSize), pal)}
		ic.draw(c)
		if err := writePNG(filepath.Join(dir, ic.name+".png"), c.img); err != nil {
			return err
		}
		if err := writePNG(filepath.Join(dir, ic.name+"-thumb.png"), c.thumbnail()); err != nil {
			return err
		}
	}
	return nil
}

func writePNG(path string, img image.Image) error {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// canvas paints filled shapes on a paletted image. Coordinates are in pixels; a pixel is
// painted when its centre lies inside the shape.
type canvas struct{ img *image.Paletted }

func (c *canvas) paint(ci uint8, inside func(x, y float64) bool) {
	b := c.img.Bounds()
	for py := b.Min.Y; py < b.Max.Y; py++ {
		for px := b.Min.X; px < b.Max.X; px++ {
			if inside(float64(px)+0.5, float64(py)+0.5) {
				c.img.SetColorIndex(px, py, ci)
			}
		}
	}
}

func (c *canvas) rect(x0, y0, x1, y1 float64, ci uint8) {
	c.paint(ci, func(x, y float64) bool { return x0 <= x && x < x1 && y0 <= y && y < y1 })
}

func (c *canvas) disc(cx, cy, r float64, ci uint8) {
	c.paint(ci, func(x, y float64) bool { return math.Hypot(x-cx, y-cy) <= r })
}

// line paints a straight stroke of half-width w from (x0, y0) to (x1, y1).
func (c *canvas) line(x0, y0, x1, y1, w float64, ci uint8) {
	dx, dy := x1-x0, y1-y0
	l2 := dx*dx + dy*dy
	c.paint(ci, func(x, y float64) bool {
		t := math.Max(0, math.Min(1, ((x-x0)*dx+(y-y0)*dy)/l2))
		return math.Hypot(x-(x0+t*dx), y-(y0+t*dy)) <= w
	})
}

// thumbnail samples the picture down by thumbScale, keeping its palette.
func (c *canvas) thumbnail() *image.Paletted {
	n := pictureSize / thumbScale
	t := image.NewPaletted(image.Rect(0, 0, n, n), c.img.Palette)
	for y := range n {
		for x := range n {
			t.SetColorIndex(x, y, c.img.ColorIndexAt(x*thumbScale+1, y*thumbScale+1))
		}
	}
	return t
}
