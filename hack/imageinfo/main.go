// Command imageinfo prints an image's layers and sizes from a registry
// (plain HTTP, as the local test registry serves): compressed and
// uncompressed, and the part the build added beyond its runtime base.
//
//	go run ./hack/imageinfo 127.0.0.1:5000/examples/node-yarn:latest
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pkg/errors"
)

const accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " +
	"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: imageinfo HOST:PORT/REPO:TAG")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "imageinfo:", err)
		os.Exit(1)
	}
}

func run(ref string) error {
	host, rest, _ := strings.Cut(ref, "/")
	i := strings.LastIndex(rest, ":")
	if i < 0 {
		return errors.Errorf("%s has no tag", ref)
	}
	repo, tag := rest[:i], rest[i+1:]
	get := func(kind, name string) ([]byte, error) {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v2/%s/%s/%s", host, repo, kind, name), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, errors.Errorf("GET %s %s: %s", kind, name, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	dt, err := get("manifests", tag)
	if err != nil {
		return err
	}
	var m struct {
		ocispecs.Manifest
		Manifests []ocispecs.Descriptor `json:"manifests"`
	}
	if err := json.Unmarshal(dt, &m); err != nil {
		return errors.Wrap(err, "parsing manifest")
	}
	for _, d := range m.Manifests { // an index: the linux/amd64 image
		if d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == "amd64" {
			if dt, err = get("manifests", d.Digest.String()); err != nil {
				return err
			}
			if err := json.Unmarshal(dt, &m); err != nil {
				return err
			}
			break
		}
	}
	cfgData, err := get("blobs", m.Config.Digest.String())
	if err != nil {
		return err
	}
	var cfg ocispecs.Image
	if err := json.Unmarshal(cfgData, &cfg); err != nil {
		return err
	}
	// layers whose history entry says stagefile are what the build added
	var added []bool
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			added = append(added, h.Comment == "stagefile")
		}
	}
	var total, totalU, addedC, addedU int64
	fmt.Printf("%s\n", ref)
	for i, l := range m.Layers {
		blob, err := get("blobs", l.Digest.String())
		if err != nil {
			return err
		}
		u, err := uncompressed(blob)
		if err != nil {
			return err
		}
		total += l.Size
		totalU += u
		what := "runtime base"
		if i < len(added) && added[i] {
			what = "added by the build"
			addedC += l.Size
			addedU += u
		}
		fmt.Printf("  layer %d  %8.2f MB compressed  %8.2f MB uncompressed  %s\n", i, mb(l.Size), mb(u), what)
	}
	fmt.Printf("  total    %8.2f MB compressed  %8.2f MB uncompressed\n", mb(total), mb(totalU))
	fmt.Printf("  beyond the runtime base: %.2f MB compressed, %.2f MB uncompressed\n", mb(addedC), mb(addedU))
	return nil
}

func uncompressed(blob []byte) (int64, error) {
	zr, err := gzip.NewReader(strings.NewReader(string(blob)))
	if err != nil {
		return int64(len(blob)), nil // not gzip: stored as is
	}
	tr := tar.NewReader(zr)
	var n int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		n += h.Size
	}
}

func mb(n int64) float64 { return float64(n) / 1e6 }
