package imageapp

// DefaultAppName is the app's name when IMAGEAPP_APP_NAME is not set: the
// "app" of every encryption context, and the prefix of AWS names and tags.
// The app, the Lambda trigger and the tests all start from this one.
const DefaultAppName = "imageapp"
