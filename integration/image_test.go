package integration

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"gotest.tools/v3/assert"
)

// image is an exported image: its config and its layers, uncompressed.
type image struct {
	Config         dockerspec.DockerOCIImage
	Layers         [][]byte
	CompressedSize int64
}

// fileEntry is a path in the image's merged filesystem.
type fileEntry struct {
	Header *tar.Header
	Data   []byte
	Layer  int
}

// blobSource fetches blobs by digest: from a registry or an OCI layout.
type blobSource func(dgst string) ([]byte, error)

const acceptManifests = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, " +
	"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"

// registryManifest returns an image's manifest, or ok=false when the
// registry does not have it.
func registryManifest(t testing.TB, ref string) ([]byte, bool) {
	t.Helper()
	repo, tag := splitRef(ref)
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v2/%s/manifests/%s", env.registry, repo, tag), nil)
	assert.NilError(t, err)
	req.Header.Set("Accept", acceptManifests)
	resp, err := http.DefaultClient.Do(req)
	assert.NilError(t, err)
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, false
	}
	assert.Equal(t, resp.StatusCode, http.StatusOK, "GET manifest %s", ref)
	dt, err := io.ReadAll(resp.Body)
	assert.NilError(t, err)
	return dt, true
}

// splitRef splits "host:port/repo:tag" into repo and tag.
func splitRef(ref string) (string, string) {
	rest := strings.TrimPrefix(ref, env.registry+"/")
	i := strings.LastIndex(rest, ":")
	return rest[:i], rest[i+1:]
}

// pullImage reads ref (in the local registry) for linux/amd64.
func pullImage(t testing.TB, ref string) *image {
	t.Helper()
	dt, ok := registryManifest(t, ref)
	assert.Assert(t, ok, "image %s is not in the registry", ref)
	repo, _ := splitRef(ref)
	get := func(kind string) blobSource {
		return func(dgst string) ([]byte, error) {
			req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/v2/%s/%s/%s", env.registry, repo, kind, dgst), nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Accept", acceptManifests)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("GET %s %s: %s", kind, dgst, resp.Status)
			}
			return io.ReadAll(resp.Body)
		}
	}
	return readImage(t, dt, get("manifests"), get("blobs"))
}

// ociImage reads an OCI layout tarball (--output type=oci).
func ociImage(t testing.TB, tarPath string) *image {
	t.Helper()
	f, err := os.Open(tarPath)
	assert.NilError(t, err)
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		assert.NilError(t, err)
		dt, err := io.ReadAll(tr)
		assert.NilError(t, err)
		files[h.Name] = dt
	}
	var index ocispecs.Index
	assert.NilError(t, json.Unmarshal(files["index.json"], &index))
	assert.Assert(t, len(index.Manifests) > 0)
	blob := func(dgst string) ([]byte, error) {
		dt, ok := files["blobs/"+strings.Replace(dgst, ":", "/", 1)]
		if !ok {
			return nil, fmt.Errorf("blob %s not in layout", dgst)
		}
		return dt, nil
	}
	top, err := blob(index.Manifests[0].Digest.String())
	assert.NilError(t, err)
	return readImage(t, top, blob, blob)
}

// readImage reads an image from its manifest (or index), fetching child
// manifests and blobs.
func readImage(t testing.TB, manifest []byte, manifests, blob blobSource) *image {
	t.Helper()
	var probe struct {
		MediaType string                `json:"mediaType"`
		Manifests []ocispecs.Descriptor `json:"manifests"`
	}
	assert.NilError(t, json.Unmarshal(manifest, &probe))
	if len(probe.Manifests) > 0 { // an index: take linux/amd64
		var chosen string
		for _, d := range probe.Manifests {
			if d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == "amd64" {
				chosen = d.Digest.String()
				break
			}
		}
		assert.Assert(t, chosen != "", "no linux/amd64 manifest in index")
		dt, err := manifests(chosen)
		assert.NilError(t, err)
		manifest = dt
	}
	var m ocispecs.Manifest
	assert.NilError(t, json.Unmarshal(manifest, &m))
	img := &image{}
	cfg, err := blob(m.Config.Digest.String())
	assert.NilError(t, err)
	assert.NilError(t, json.Unmarshal(cfg, &img.Config))
	for _, l := range m.Layers {
		dt, err := blob(l.Digest.String())
		assert.NilError(t, err)
		img.CompressedSize += l.Size
		if strings.HasSuffix(l.MediaType, "gzip") {
			zr, err := gzip.NewReader(bytes.NewReader(dt))
			assert.NilError(t, err)
			dt, err = io.ReadAll(zr)
			assert.NilError(t, err)
		}
		img.Layers = append(img.Layers, dt)
	}
	return img
}

// files is the merged filesystem: later layers win, whiteouts delete.
func (img *image) files(t testing.TB) map[string]*fileEntry {
	t.Helper()
	out := map[string]*fileEntry{}
	for i, layer := range img.Layers {
		tr := tar.NewReader(bytes.NewReader(layer))
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			assert.NilError(t, err)
			name := path.Clean(strings.TrimPrefix(h.Name, "./"))
			dir, base := path.Split(name)
			if base == ".wh..wh..opq" {
				for p := range out {
					if strings.HasPrefix(p, dir) {
						delete(out, p)
					}
				}
				continue
			}
			if strings.HasPrefix(base, ".wh.") {
				gone := path.Join(dir, strings.TrimPrefix(base, ".wh."))
				for p := range out {
					if p == gone || strings.HasPrefix(p, gone+"/") {
						delete(out, p)
					}
				}
				continue
			}
			dt, err := io.ReadAll(tr)
			assert.NilError(t, err)
			out[name] = &fileEntry{Header: h, Data: dt, Layer: i}
		}
	}
	return out
}

// under lists the paths below dir.
func under(files map[string]*fileEntry, dir string) []string {
	var out []string
	for p := range files {
		if strings.HasPrefix(p, dir+"/") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func (img *image) uncompressedSize() int64 {
	var n int64
	for _, l := range img.Layers {
		tr := tar.NewReader(bytes.NewReader(l))
		for {
			h, err := tr.Next()
			if err != nil {
				break
			}
			n += h.Size
		}
	}
	return n
}
