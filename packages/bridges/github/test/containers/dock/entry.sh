echo "dockerfile action says hi to $1 (INPUT_WHO=$INPUT_WHO)"
echo "greeted=$1" >> "$GITHUB_OUTPUT"
