package java

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/stagefile/stagefile/plan"
)

// JavaVersionMismatch is the preset's rule for an image whose Java is
// older than the release the poms compile for: javac refuses the
// release, or the JVM refuses the classes (UnsupportedClassVersionError).
var JavaVersionMismatch = plan.NewRule("JavaVersionMismatch", "The build or runtime image's Java is older than the release the poms compile for.")

// ltsLines are the Java releases with long-term support, which the
// eclipse-temurin images keep publishing; a release between them is
// built and run on the next one.
var ltsLines = []int{8, 11, 17, 21, 25}

// newestLTS is the Java a pom that names none builds with.
const newestLTS = 25

// javaRelease is the Java release the app's module compiles for, and what
// says so: maven.compiler.release, the compiler plugin's release, then
// maven.compiler.target or source, then java.version (Spring Boot's
// parent reads it); ok is false when the poms name none.
func (f *filler) javaRelease() (n int, from string, ok bool) {
	pm := f.app
	try := func(v, what string) bool {
		v, err := pm.interpolate(strings.TrimSpace(v), f.props)
		if err != nil {
			return false
		}
		if r, good := parseRelease(v); good {
			n, from = r, what+" "+v
			return true
		}
		return false
	}
	if v, file, found := pm.propertyIn("maven.compiler.release"); found && try(v, file+" maven.compiler.release") {
		return n, from, true
	}
	for _, pl := range pm.plugins() {
		if pl.key() == "org.apache.maven.plugins:maven-compiler-plugin" {
			for _, k := range []string{"release", "target", "source"} {
				if v, found := pl.Configuration.find(k); found && try(v, "maven-compiler-plugin "+k) {
					return n, from, true
				}
			}
		}
	}
	for _, k := range []string{"maven.compiler.target", "maven.compiler.source", "java.version"} {
		if v, file, found := pm.propertyIn(k); found && try(v, file+" "+k) {
			return n, from, true
		}
	}
	return 0, "", false
}

var releaseRe = regexp.MustCompile(`^(?:1\.)?(\d{1,3})$`)

// parseRelease reads 17, 1.8 (which is 8) and the like.
func parseRelease(v string) (int, bool) {
	m := releaseRe.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, n >= 5 && n < 1000
}

// line is the Java the images are picked for: the release itself when
// it is a long-term one, else the next one, which builds and runs it.
func line(n int) int {
	for _, l := range ltsLines {
		if l >= n {
			return l
		}
	}
	return n
}

// image picks maven:3-eclipse-temurin-<N> to build (a JDK and Maven) and
// returns eclipse-temurin:<N>-jre to run, for the Java the poms compile
// for; written images older than it are a warning at their line.
func (f *filler) image() (runtime string, err error) {
	p := f.P
	n, from, ok := f.javaRelease()
	if !ok {
		n, from = newestLTS, "the poms name no Java release (maven.compiler.release): the newest long-term Java"
		if v := f.bootVersionAny(); v != "" {
			if major, _, good := majorMinor(v); good && major >= 3 {
				n, from = 17, "Spring Boot "+v+"'s parent compiles for Java 17 unless java.version says otherwise"
			}
		}
	}
	want := line(n)
	why := from
	if want != n {
		why += fmt.Sprintf(", built and run on the next long-term Java (%d)", want)
	}
	if !p.Image.Set() {
		p.Image = plan.Value[string]{Value: fmt.Sprintf("maven:3-eclipse-temurin-%d", want), Origin: f.Origin("a JDK and Maven for " + why)}
	} else {
		f.checkImage(p.Image, n, from, fmt.Sprintf("maven:3-eclipse-temurin-%d", want))
	}
	runtime = fmt.Sprintf("eclipse-temurin:%d-jre", want)
	if p.Release.Image.Set() {
		f.checkImage(p.Release.Image, n, from, runtime)
	}
	return runtime, nil
}

// bootVersionAny is the Spring Boot version of the app's parents, for
// the Java its parent defaults to.
func (f *filler) bootVersionAny() string {
	for q := f.app; q != nil; q = q.parent {
		if q.Parent != nil && strings.TrimSpace(q.Parent.GroupID) == "org.springframework.boot" {
			v, err := f.app.interpolate(strings.TrimSpace(q.Parent.Version), f.props)
			if err == nil {
				return v
			}
		}
	}
	return ""
}

// checkImage warns when the image's Java is older than the release.
func (f *filler) checkImage(img plan.Value[string], n int, from, suggest string) {
	var info *plan.ImageInfo
	if f.Facts.Image != nil {
		info, _ = f.Facts.Image(img.Value)
	}
	have, what := imageJava(img.Value, info)
	if what != "" && have < n {
		f.Warn(JavaVersionMismatch, img.Origin, "%s has %s, but %s: javac refuses the release, or the JVM the classes (e.g. %s)", img.Value, what, from, suggest)
	}
}

var (
	// JAVA_VERSION as the eclipse-temurin images set it: jdk-17.0.13+11,
	// jdk8u432-b06
	javaVersionEnv = regexp.MustCompile(`^(?:jdk-?|jre-?)?(?:1\.)?(\d{1,3})(?:[.u+_-]|$)`)
	// a tag that names the Java: eclipse-temurin:17-jre,
	// maven:3.9-eclipse-temurin-21, openjdk:17, distroless java17
	javaTag = regexp.MustCompile(`(?:temurin[:-]|openjdk[:-]|amazoncorretto:|/java)(\d{1,3})(?:[.u_-]|$)`)
)

// imageJava is the Java an image has: JAVA_VERSION in its config, else
// its tag's.
func imageJava(ref string, img *plan.ImageInfo) (int, string) {
	if img != nil && img.Config != nil {
		for _, kv := range img.Config.Config.Env {
			if s, ok := strings.CutPrefix(kv, "JAVA_VERSION="); ok {
				if m := javaVersionEnv.FindStringSubmatch(s); m != nil {
					n, _ := strconv.Atoi(m[1])
					return n, "Java " + s
				}
			}
		}
	}
	if m := javaTag.FindStringSubmatch(ref); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, "Java " + m[1] + " (from its tag)"
	}
	return 0, ""
}
