package node

import dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

func configWithUser(u string) *dockerspec.DockerOCIImage {
	img := &dockerspec.DockerOCIImage{}
	img.Config.User = u
	return img
}

// normalize is a file as Fill reads it: decoded as the package managers
// decode it.
func normalize(dt []byte) []byte {
	out, err := encoding("package.json").Decode("package.json", dt)
	if err != nil {
		panic(err)
	}
	return out
}
