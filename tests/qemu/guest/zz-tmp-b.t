echo "nothing to see"
