package spec

import (
	_ "embed"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"

	"github.com/pkg/errors"
)

//go:generate go run ./gen-schema

// Schema is the Stagefile's JSON Schema, generated from the types in
// types.go and their doc comments (go generate ./spec). Editors use it
// through "# yaml-language-server: $schema=...".
//
//go:embed schema.json
var Schema []byte

// GenerateSchema builds the JSON Schema from the Spec type, with field
// descriptions taken from the doc comments in typesSource (types.go) and
// the names of the presets (which spec does not know).
func GenerateSchema(typesSource []byte, presets []string) ([]byte, error) {
	docs, err := fieldDocs(typesSource)
	if err != nil {
		return nil, err
	}
	g := &schemaGen{docs: docs, defs: map[string]any{}}
	root := g.object(reflect.TypeOf(Spec{}))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://github.com/stagefile/stagefile/spec/schema.json"
	root["title"] = "Stagefile"
	root["description"] = "A declarative build of a tested, minimal application image (Stagefile format version 1)."
	root["required"] = []string{"version"}
	// a preset fills the image; without one the Stagefile names it
	root["if"] = map[string]any{"not": map[string]any{"required": []string{"preset"}}}
	root["then"] = map[string]any{"required": []string{"image"}}
	root["$defs"] = g.defs
	props := root["properties"].(map[string]any)
	props["version"].(map[string]any)["const"] = Version
	if len(presets) > 0 {
		props["preset"].(map[string]any)["enum"] = presets
	}
	return json.MarshalIndent(root, "", "  ")
}

type schemaGen struct {
	docs map[string]string // "Type.Field" → doc comment
	defs map[string]any
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" {
			continue
		}
		p := g.value(f.Type)
		if d := g.docs[t.Name()+"."+f.Name]; d != "" {
			p["description"] = d
		}
		props[tag] = p
	}
	return map[string]any{"type": "object", "additionalProperties": false, "properties": props}
}

func (g *schemaGen) value(t reflect.Type) map[string]any {
	switch {
	case t == stringType:
		// numbers and booleans are kept as their text (ports, env values)
		return map[string]any{"type": []string{"string", "number", "boolean"}}
	case t == intType:
		return map[string]any{"type": "integer"}
	case t == boolType:
		return map[string]any{"type": "boolean"}
	case t == mapType:
		// values are taken as written: numbers and booleans too
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []string{"string", "number", "boolean"}}}
	case t == argsType:
		// written as a mapping: NAME: default, or NAME: {default, description}
		def := g.object(reflect.TypeOf(Arg{}))
		delete(def["properties"].(map[string]any), "name")
		g.defs["Arg"] = def
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"anyOf": []any{
			map[string]any{"type": []string{"string", "number", "boolean", "null"}},
			map[string]any{"$ref": "#/$defs/Arg"},
		}}}
	case isList(reflect.New(t).Elem()):
		items, _ := t.FieldByName("Items")
		return map[string]any{"type": "array", "items": g.value(items.Type.Elem())}
	case t.Kind() == reflect.Struct:
		if _, ok := g.defs[t.Name()]; !ok {
			g.defs[t.Name()] = nil // reserve against recursion
			def := g.object(t)
			if t == cacheType {
				// a cache may also be written as just its path
				def = map[string]any{"anyOf": []any{map[string]any{"type": "string"}, def}}
			}
			if t == checkType {
				// a check may also be written as just true or false
				def = map[string]any{"anyOf": []any{map[string]any{"type": "boolean"}, def}}
			}
			g.defs[t.Name()] = def
		}
		return map[string]any{"$ref": "#/$defs/" + t.Name()}
	}
	panic("spec: no schema for " + t.String())
}

// fieldDocs reads the doc comments of struct fields from Go source.
func fieldDocs(src []byte) (map[string]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "types.go", src, parser.ParseComments)
	if err != nil {
		return nil, errors.Wrap(err, "parsing types.go")
	}
	docs := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return true
		}
		for _, field := range st.Fields.List {
			if field.Doc == nil {
				continue
			}
			text := strings.Join(strings.Fields(field.Doc.Text()), " ")
			for _, name := range field.Names {
				docs[ts.Name.Name+"."+name.Name] = text
			}
		}
		return true
	})
	return docs, nil
}
