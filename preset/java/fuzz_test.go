package java

import (
	"errors"
	"testing"

	"github.com/stagefile/stagefile/internal/bounded"
	"github.com/stagefile/stagefile/plan"
	"github.com/stagefile/stagefile/spec"
)

// FuzzPreset: whatever pom.xml files, .mvn/maven.config and wrapper a
// build context holds, the preset answers within the fuzz budget with a
// plan or a positioned error; it never panics.
func FuzzPreset(f *testing.F) {
	modules := pomXML(`<artifactId>r</artifactId><version>${v}</version><packaging>pom</packaging><properties><v>1</v></properties><modules><module>a</module><module>b/c</module></modules>`)
	child := pomXML(`<parent><artifactId>r</artifactId><version>1</version></parent><artifactId>a</artifactId>`)
	f.Add([]byte(pomXML(plainPOM)), []byte(child), []byte("-Drevision=1\n"))
	f.Add([]byte(modules), []byte(child), []byte(""))
	f.Add([]byte(pomXML(`<parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId><version>3.5.7</version></parent><artifactId>s</artifactId><version>1</version><build><plugins><plugin><groupId>org.springframework.boot</groupId><artifactId>spring-boot-maven-plugin</artifactId><configuration><classifier>exec</classifier></configuration></plugin></plugins></build>`)), []byte("<project/>"), []byte("-D x"))
	f.Add([]byte(`<!DOCTYPE p [<!ENTITY a "aaaa">]><project>&a;</project>`), []byte("<project><modules><module>../..</module></modules></project>"), []byte("-D"))
	f.Fuzz(func(t *testing.T, root, mod, config []byte) {
		files := map[string][]byte{"pom.xml": root, "a/pom.xml": mod, "b/c/pom.xml": mod, "mvnw": nil,
			".mvn/wrapper/maven-wrapper.properties": config, ".mvn/maven.config": config}
		for _, app := range []string{".", "a", "b/c"} {
			p := &plan.Plan{File: "Stagefile", Workdir: plan.Value[string]{Value: "/app", Origin: plan.Origin{Kind: plan.Default}},
				Preset: plan.Value[string]{Value: "java", Origin: plan.Origin{Kind: plan.Stagefile}},
				App:    plan.Value[string]{Value: app, Origin: plan.Origin{Kind: plan.Stagefile}}}
			var err error
			bounded.Run(t, bounded.Fuzz, func() {
				Provider{}.Files(p, files)
				_, err = Provider{}.Fill(p, &plan.Facts{Files: files, Image: images})
			})
			var list spec.Errors
			if err != nil && !errors.As(err, &list) {
				t.Fatalf("unpositioned error %T: %v", err, err)
			}
			if err == nil {
				if err := plan.Check(p, false, plan.Ecosystems{Provider{}.Ecosystem()}); err != nil && !errors.As(err, &list) {
					t.Fatalf("unpositioned error %T: %v", err, err)
				}
			}
		}
	})
}
