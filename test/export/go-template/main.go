// Renders Ollama TEMPLATEs with Go's text/template, as Ollama does: reads a JSON list of {"template", "data"}
// on stdin and prints the list of rendered prompts. Used by ollama-template.test.ts to compare with the
// Hugging Face rendering.
package main

import (
	"encoding/json"
	"os"
	"strings"
	"text/template"
)

func main() {
	var inputs []struct {
		Template string                 `json:"template"`
		Data     map[string]interface{} `json:"data"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		panic(err)
	}
	outputs := []string{}
	for _, input := range inputs {
		parsed, err := template.New("ollama").Option("missingkey=zero").Parse(input.Template)
		if err != nil {
			panic(err)
		}
		var text strings.Builder
		if err := parsed.Execute(&text, input.Data); err != nil {
			panic(err)
		}
		outputs = append(outputs, text.String())
	}
	if err := json.NewEncoder(os.Stdout).Encode(outputs); err != nil {
		panic(err)
	}
}
