module example.com/go-work/greet

go 1.26
