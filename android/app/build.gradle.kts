plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "dev.bertparity.runner"
    compileSdk = 34
    defaultConfig {
        applicationId = "dev.bertparity.runner"
        minSdk = 24
        targetSdk = 34
        versionCode = 1
        versionName = "1.0"
    }
    buildTypes {
        // The debug build is what CI and a desk phone install (debuggable, no signing setup needed).
        getByName("release") { isMinifyEnabled = false }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    // .tflite files are memory-mapped by the interpreter; never compress them if one is bundled.
    androidResources { noCompress += "tflite" }
}

dependencies {
    // TensorFlow Lite (LiteRT) Interpreter with SignatureDef support, plus the GPU delegate. The NNAPI
    // delegate ships in the core artifact. Keep the three versions equal.
    implementation("org.tensorflow:tensorflow-lite:2.16.1")
    implementation("org.tensorflow:tensorflow-lite-gpu:2.16.1")
    implementation("org.tensorflow:tensorflow-lite-gpu-api:2.16.1")
}
