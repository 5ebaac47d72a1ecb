package llb

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/opencontainers/go-digest"
	"gotest.tools/v3/assert"
)

// describe lists a definition's ops compactly, for golden files: each op
// by a short id in the definition's (deterministic) order, its name, the
// Stagefile lines it points at, what it does and which ops it reads. No
// digests, so a BuildKit upgrade that re-encodes ops leaves it unchanged
// unless the graph itself changes.
func describe(t testing.TB, def *bk.Definition) string {
	t.Helper()
	pbDef := def.ToPB()
	ids := map[digest.Digest]string{}
	var b strings.Builder
	for i, dt := range pbDef.Def {
		var op pb.Op
		assert.NilError(t, op.UnmarshalVT(dt))
		dgst := digest.FromBytes(dt)
		id := fmt.Sprintf("v%d", i)
		ids[dgst] = id
		var inputs []string
		for _, in := range op.Inputs {
			inputs = append(inputs, ids[digest.Digest(in.Digest)])
		}
		md := pbDef.Metadata[dgst.String()]
		name := ""
		if md != nil {
			name = md.Description["llb.customname"]
		}
		lines := ""
		if pbDef.Source != nil {
			if locs, ok := pbDef.Source.Locations[dgst.String()]; ok {
				for _, l := range locs.Locations {
					for _, r := range l.Ranges {
						lines += fmt.Sprintf(" @%d-%d", r.Start.Line, r.End.Line)
					}
				}
			}
		}
		if op.Op == nil { // the terminal op points at the result
			fmt.Fprintf(&b, "%s result %s\n", id, strings.Join(inputs, " "))
			continue
		}
		fmt.Fprintf(&b, "%s %q%s\n", id, name, lines)
		switch o := op.Op.(type) {
		case *pb.Op_Source:
			fmt.Fprintf(&b, "    source %s%s\n", o.Source.Identifier, attrs(o.Source.Attrs))
		case *pb.Op_Exec:
			m := o.Exec.Meta
			net := ""
			if o.Exec.Network != pb.NetMode_UNSET {
				net = " network=" + strings.ToLower(o.Exec.Network.String())
			}
			fmt.Fprintf(&b, "    exec %q cwd=%s user=%s%s\n", m.Args, m.Cwd, m.User, net)
			for _, e := range m.Env {
				fmt.Fprintf(&b, "    env %s\n", e)
			}
			for _, mnt := range o.Exec.Mounts {
				fmt.Fprintf(&b, "    mount %s%s\n", mnt.Dest, mountInfo(mnt, inputs))
			}
			for _, s := range o.Exec.Secretenv {
				fmt.Fprintf(&b, "    secret env %s ← %s optional=%v\n", s.Name, s.ID, s.Optional)
			}
		case *pb.Op_File:
			for _, a := range o.File.Actions {
				fmt.Fprintf(&b, "    %s\n", fileAction(a, inputs))
			}
		case *pb.Op_Merge:
			fmt.Fprintf(&b, "    merge %s\n", strings.Join(inputs, " "))
		case *pb.Op_Passthrough:
			fmt.Fprintf(&b, "    passthrough %q outputs=%v of %s\n", o.Passthrough.Id, o.Passthrough.Outputs, strings.Join(inputs, " "))
		default:
			fmt.Fprintf(&b, "    %T\n", o)
		}
		if len(inputs) > 0 {
			fmt.Fprintf(&b, "    reads %s\n", strings.Join(inputs, " "))
		}
	}
	return b.String()
}

func attrs(m map[string]string) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out string
	for _, k := range keys {
		out += fmt.Sprintf(" %s=%s", strings.TrimPrefix(k, "local."), m[k])
	}
	return out
}

func input(i int64, inputs []string) string {
	if i < 0 || int(i) >= len(inputs) {
		return "scratch"
	}
	return inputs[i]
}

func mountInfo(m *pb.Mount, inputs []string) string {
	s := " ← " + input(m.Input, inputs)
	if m.Selector != "" {
		s += ":" + m.Selector
	}
	switch m.MountType {
	case pb.MountType_CACHE:
		s = fmt.Sprintf(" cache id=%s sharing=%s", m.CacheOpt.ID, m.CacheOpt.Sharing)
	case pb.MountType_TMPFS:
		s = " tmpfs"
	case pb.MountType_SECRET:
		s = fmt.Sprintf(" secret %s optional=%v", m.SecretOpt.ID, m.SecretOpt.Optional)
	}
	if m.Readonly {
		s += " readonly"
	}
	if m.Output < 0 && m.MountType == pb.MountType_BIND && m.Dest != "/" {
		s += " (not kept)"
	}
	return s
}

func fileAction(a *pb.FileAction, inputs []string) string {
	switch x := a.Action.(type) {
	case *pb.FileAction_Copy:
		c := x.Copy
		s := fmt.Sprintf("copy %s:%s → %s", input(a.SecondaryInput, inputs), c.Src, c.Dest)
		if len(c.IncludePatterns) > 0 {
			s += fmt.Sprintf(" include=%v", c.IncludePatterns)
		}
		if len(c.ExcludePatterns) > 0 {
			s += fmt.Sprintf(" exclude=%v", c.ExcludePatterns)
		}
		if len(c.RequiredPaths) > 0 {
			s += fmt.Sprintf(" required=%v", c.RequiredPaths)
		}
		return s
	case *pb.FileAction_Mkdir:
		return "mkdir " + x.Mkdir.Path
	case *pb.FileAction_Mkfile:
		return fmt.Sprintf("mkfile %s (%d bytes)", x.Mkfile.Path, len(x.Mkfile.Data))
	}
	return fmt.Sprintf("%T", a.Action)
}
