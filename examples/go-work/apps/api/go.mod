module example.com/go-work/api

go 1.26

require example.com/go-work/greet v0.0.0

// the require tells preset go (and go mod tidy) that the api uses
// libs/greet; the replace finds it in its folder, never on a proxy
replace example.com/go-work/greet => ../../libs/greet
