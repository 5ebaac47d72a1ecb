module example.com/go-work/worker

go 1.26
