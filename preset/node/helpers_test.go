package node

import dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

func configWithUser(u string) *dockerspec.DockerOCIImage {
	img := &dockerspec.DockerOCIImage{}
	img.Config.User = u
	return img
}
